from django.urls import path

from . import views_orders as views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_new, name="new"),
    path("statement/", views.statement, name="statement"),
    path("callbacks/", views.callback_list, name="callbacks"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("circle/", views.service_circle, name="circle"),
    path("<int:pk>/complaints/", views.complaint_new, name="complaint_new"),
    path("callbacks/<int:task_id>/close/", views.callback_close, name="callback_close"),
    path("standing/<int:standing_id>/end/", views.standing_end, name="standing_end"),
    path("payments/<int:payment_id>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/payments/", views.payment_new, name="payment"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.order_take_step, name="step"),
]
