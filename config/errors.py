"""Error answers that leak nothing, and that htmx shows in the page's alert region."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html

HTMX_ERROR_REGION = "#htmx-errors"
DATABASE_RETRY_SECONDS = 5
logger = logging.getLogger(__name__)


def _htmx_error(message: str, status: int) -> HttpResponse:
    """For htmx: the message goes to the alert region; the form keeps what was typed."""
    response = HttpResponse(
        format_html('<p class="message message-error">{}</p>', message), status=status
    )
    response["HX-Retarget"] = HTMX_ERROR_REGION
    response["HX-Reswap"] = "innerHTML"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = "This form has expired. Reload the page and try again; copy your text first."
    if request.headers.get("HX-Request"):
        return _htmx_error(message, 403)
    return render(request, "403.html", {"exception": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    message = "Something went wrong on our side. Please try again in a moment."
    if request.headers.get("HX-Request"):
        return _htmx_error(message, 500)
    # No request context: whatever failed must not fail again while telling the reader.
    return HttpResponse(render_to_string("500.html"), status=500)


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached (restarting, failing over), answer 503 with
    Retry-After instead of a 500: nothing was stored, and trying again soon will work.
    Django reconnects by itself once the database is back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        message = "The site cannot reach its database just now. Please try again in a moment."
        if request.headers.get("HX-Request"):
            response = _htmx_error(message, 503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
