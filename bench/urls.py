"""The site's URLs plus /__bench__/ceiling/: the cheapest response Django can give
through the site's middleware, with no database access; every other row of the
benchmark is compared with it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/ceiling/", ceiling, name="bench_ceiling"),
    path("", include("config.urls")),
]
