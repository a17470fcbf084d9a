from django.urls import include, path

from yiyang.api.api import api
from yiyang.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("text-size/", core_views.text_size, name="text_size"),
    path("accounts/", include("yiyang.accounts.urls")),
    path("regions/", include("yiyang.regions.urls")),
    path("elders/", include("yiyang.people.urls")),
    path("organisations/", include("yiyang.institutions.urls")),
    path("services/", include("yiyang.marketplace.urls")),
    path("orders/", include("yiyang.marketplace.urls_orders")),
    path("exchange/", include("yiyang.exchange.urls")),
    path("supervision/", include("yiyang.supervision.urls")),
    path("assessments/", include("yiyang.assessment.urls")),
    path("calendar/", include("yiyang.core.calendar_urls")),
    path("events/", include("yiyang.core.events_urls")),
    path("assess/", include("yiyang.assessment.urls_mobile")),
    path("api/", api.urls),
]

# Refusals and faults in the console's look (JSON under /api/): yiyang/core/error_pages.py.
handler400 = "yiyang.core.error_pages.bad_request"
handler403 = "yiyang.core.error_pages.permission_denied"
handler404 = "yiyang.core.error_pages.page_not_found"
handler500 = "yiyang.core.error_pages.server_error"
