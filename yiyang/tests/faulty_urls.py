"""The real URLs and error handlers, plus two views with a bug: how is a fault answered?"""

from django.urls import path

from yiyang import urls


def broken(request):
    raise RuntimeError("a bug, not an answer")


urlpatterns = [
    path("api/v1/broken", broken),
    path("broken/", broken),
    *urls.urlpatterns,
]
handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
