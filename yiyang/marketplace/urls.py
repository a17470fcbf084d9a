from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("<int:item_id>/edit/", views.item_edit, name="edit"),
    path("menus/", views.menu_lines, name="menus"),
    path("menus/<int:line_id>/decide/", views.menu_line_decide, name="menu_decide"),
    path("menus/<int:line_id>/withdraw/", views.menu_line_withdraw, name="menu_withdraw"),
]
