from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from remedies import views as remedy_views

urlpatterns = [
    path("", remedy_views.home, name="home"),
    path("", include("remedies.urls")),
    path("", include("conditions.urls")),
    path("", include("discussion.urls")),
    path("accounts/", include("accounts.urls")),
    path("members/<str:username>/", account_views.profile, name="profile"),
    path("admin/", admin.site.urls),
]
