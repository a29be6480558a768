from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from accounts import views as account_views
from conditions.sitemaps import ConditionSitemap
from config.health import healthz
from remedies import views as remedy_views
from remedies.sitemaps import PairSitemap, RemedySitemap, StaticPagesSitemap

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "remedies": RemedySitemap,
    "conditions": ConditionSitemap,
    "pairs": PairSitemap,
}

urlpatterns = [
    path("", remedy_views.home, name="home"),
    path("", include("remedies.urls")),
    path("", include("conditions.urls")),
    path("", include("discussion.urls")),
    path("accounts/", include("accounts.urls")),
    path("members/<str:username>/", account_views.profile, name="profile"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

handler500 = "config.errors.server_error"
