from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import SignupForm
from accounts.network import client_address
from discussion.models import Comment
from discussion.ratelimit import bucket_overflows


def safe_next_url(request: HttpRequest, default: str = "/") -> str:
    """The `next` address from the form or query, if it points back into this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def signup(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST)
        too_many = bucket_overflows(
            f"signup:{client_address(request)}",
            limit=settings.SIGNUPS_PER_ADDRESS_PER_HOUR,
            period=3600,
        )
        if too_many:
            form.add_error(None, "Too many sign-ups from your network. Please try again later.")
            status = 429
        elif form.is_valid():
            user = form.save()
            login(request, user, backend="accounts.backends.MemberBackend")
            return HttpResponseRedirect(safe_next_url(request))
    else:
        form = SignupForm()
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": safe_next_url(request, "")},
        status=status,
    )


PROFILE_PAGE_SIZE = 20


def profile(request: HttpRequest, username: str) -> HttpResponse:
    if "\x00" in username:  # PostgreSQL cannot even compare text holding NUL
        raise Http404("No such member.")
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    comments = Paginator(
        Comment.objects.by_author_newest_first(member, request.user), PROFILE_PAGE_SIZE
    )
    page = comments.get_page(request.GET.get("page"))
    return render(request, "accounts/profile.html", {"member": member, "page": page})
