"""Discussion endpoints. Each action is a plain form post (message, redirect to the
anchor) that htmx enhances by swapping a partial of the same templates."""

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from config.pagecache import cache_anonymous_page, target_key
from discussion import drafts, moderation, services
from discussion.forms import CommentForm, EditCommentForm, FlagForm, VoteForm, new_comment_form
from discussion.models import (
    Comment,
    CommentVote,
    ModerationAction,
    Tally,
    Thread,
    target_queryset,
)
from discussion.ratelimit import rate_limit_exceeded
from discussion.tree import CommentNode, Discussion, discussion_load

TEMPLATE = "discussion/thread.html"
MAX_PAGE = 100_000  # far past any discussion; keeps OFFSET within the database's range
DOUBLE_SUBMIT_SECONDS = 3600


# --- helpers -------------------------------------------------------------------------


def discussion_target(target_label: str, target_id: int, viewer) -> models.Model:
    """The object a discussion belongs to, if `viewer` may see it; only models listed in
    DISCUSSION_TARGETS."""
    if target_label not in settings.DISCUSSION_TARGETS:
        raise Http404("No such discussion.")
    return get_object_or_404(target_queryset(apps.get_model(target_label), viewer), pk=target_id)


def _discussion_for_comment(comment: Comment, viewer) -> Discussion:
    """A page-less Discussion giving a single comment's partials their context."""
    # get_for_id is cached per process; following the foreign key would cost a query.
    model = ContentType.objects.get_for_id(comment.thread.content_type_id).model_class()
    target = discussion_target(model._meta.label_lower, comment.thread.object_id, viewer)
    return Discussion(target, comment.thread, "best", 1, nodes=[], has_more=False)


def _comment_or_404(comment_id: int, viewer) -> Comment:
    """The comment, if it is on a page the viewer may see (one query)."""
    queryset = (
        Comment.objects.on_pages_visible_to(viewer)
        .select_related("author", "thread")
        .with_viewer_votes(viewer)
    )
    return get_object_or_404(queryset, pk=comment_id)


def safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}
    ):
        return candidate
    return fallback


def login_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send an anonymous visitor to log in, then back to `next_url`."""
    url = f"{reverse('login')}?{urlencode({'next': next_url})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _render_partial(request, partial: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"{TEMPLATE}#{partial}", context, status=status)


def _form_error_response(
    request, discussion: Discussion, form, *, status: int, parent: Comment | None = None
) -> HttpResponse:
    """Show the form again, with its message and what the member typed."""
    parent = parent or None  # resolves a lazy parent: None when there is none
    context = {"discussion": discussion, "form": form, "parent": parent}
    if request.htmx:
        return _render_partial(request, "reply-form" if parent else "comment-form", context, status)
    return render(request, "discussion/comment_form_page.html", context, status=status)


# --- reading -------------------------------------------------------------------------


@require_GET
@cache_anonymous_page(
    lambda request, target_label, target_id: [target_key(target_label, target_id)]
)
def discussion_thread(request: HttpRequest, target_label: str, target_id: int) -> HttpResponse:
    target = discussion_target(target_label, target_id, request.user)
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    discussion = discussion_load(
        target=target,
        thread=Thread.objects.for_target(target).first(),
        viewer=request.user,
        sort=request.GET.get("sort", "best"),
        page=page,
        draft=drafts.draft_for(request.session, target),
    )
    context = {"discussion": discussion}
    if request.htmx:
        return _render_partial(request, "comment-page" if page > 1 else "thread", context)
    return render(request, TEMPLATE, context)


@require_GET
def comment_detail(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id, request.user)
    discussion = _discussion_for_comment(comment, request.user)
    if request.htmx:  # "Cancel" in the edit form puts the comment back
        return _render_partial(
            request, "comment-body", {"discussion": discussion, "node": CommentNode(comment)}
        )
    return redirect(f"{discussion.target.get_absolute_url()}#{comment.anchor}")


@require_GET
def comment_reply_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    parent = _comment_or_404(comment_id, request.user)
    discussion = _discussion_for_comment(parent, request.user)
    context = {
        "discussion": discussion,
        "parent": parent,
        "form": new_comment_form(parent_id=parent.pk),
    }
    if request.htmx:
        return _render_partial(request, "reply-form", context)
    return render(request, "discussion/comment_form_page.html", context)


# --- writing -------------------------------------------------------------------------


@require_POST
def comment_create(request: HttpRequest, target_label: str, target_id: int) -> HttpResponse:
    target = discussion_target(target_label, target_id, request.user)
    discussion = Discussion(target, None, "best", 1, nodes=[], has_more=False)
    form = CommentForm(request.POST)
    parent_id = str(form.data.get("parent") or "")
    parent_id = int(parent_id) if parent_id.isdigit() and len(parent_id) < 19 else None
    # Only an error page needs the parent itself (to show the reply box again).
    parent = SimpleLazyObject(lambda: Comment.objects.filter(pk=parent_id).first())

    if not request.user.is_authenticated:
        drafts.draft_save(
            request.session,
            target=target,
            body=request.POST.get("body", "")[: services.MAX_COMMENT_LENGTH * 2],
            parent_id=parent_id,
        )
        return login_redirect(request, discussion.return_url)
    if not form.is_valid():
        return _form_error_response(request, discussion, form, status=400, parent=parent)
    if rate_limit_exceeded(user=request.user, action="comment"):
        form.add_error(None, "You are posting too fast. Please wait a minute and try again.")
        return _form_error_response(request, discussion, form, status=429, parent=parent)
    token_key = f"comment-submission:{form.cleaned_data['submission']}"
    if form.cleaned_data["submission"] and not cache.add(token_key, 1, DOUBLE_SUBMIT_SECONDS):
        # The same form arrived twice (a double click): the first post did the work.
        if request.htmx:
            return HttpResponse(status=204)
        return redirect(discussion.return_url)
    try:
        comment = services.comment_create(
            author=request.user,
            target=target,
            body=form.cleaned_data["body"],
            parent_id=form.cleaned_data["parent"],
        )
    except services.DiscussionError as error:
        cache.delete(token_key)  # the member may fix it and send the same form again
        form.add_error(None, str(error))
        return _form_error_response(request, discussion, form, status=400, parent=parent)
    except services.NotAllowed as error:
        cache.delete(token_key)
        form.add_error(None, str(error))
        return _form_error_response(request, discussion, form, status=403, parent=parent)
    drafts.draft_clear(request.session, target)

    if not request.htmx:
        messages.success(request, "Your comment was posted.")
        return redirect(f"{target.get_absolute_url()}#{comment.anchor}")
    comment.viewer_vote = 0
    discussion.thread = comment.thread  # its comment_count is the one just written
    context = {
        "discussion": discussion,
        "new_node": CommentNode(comment),
        "parent": comment.parent,
        "form": new_comment_form(),
    }
    return _render_partial(request, "comment-posted", context)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id, request.user)
    discussion = _discussion_for_comment(comment, request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, f"{discussion.target.get_absolute_url()}#{comment.anchor}")
    if not comment.can_be_edited_by(request.user):
        raise PermissionDenied("Only the author can edit this comment, for 24 hours.")
    context = {"discussion": discussion, "comment": comment}
    if request.method == "GET":
        context["form"] = EditCommentForm(initial={"body": comment.body})
        if request.htmx:
            return _render_partial(request, "edit-form", context)
        return render(request, "discussion/comment_edit_page.html", context)

    form = EditCommentForm(request.POST)
    context["form"] = form
    status = 400
    if form.is_valid():
        if rate_limit_exceeded(user=request.user, action="comment"):
            form.add_error(None, "You are posting too fast. Please wait a minute and try again.")
            status = 429
        else:
            try:
                services.comment_edit(
                    comment=comment, user=request.user, body=form.cleaned_data["body"]
                )
            except services.NotAllowed as error:
                form.add_error(None, str(error))
                status = 403
            else:
                if not request.htmx:
                    messages.success(request, "Your comment was updated.")
                    return redirect(f"{discussion.target.get_absolute_url()}#{comment.anchor}")
                node = CommentNode(comment)
                context = {"discussion": discussion, "node": node, "focus": True}
                return _render_partial(request, "comment-body", context)
    if request.htmx:
        return _render_partial(request, "edit-form", context, status=status)
    return render(request, "discussion/comment_edit_page.html", context, status=status)


@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id, request.user)
    discussion = _discussion_for_comment(comment, request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, f"{discussion.target.get_absolute_url()}#{comment.anchor}")
    if comment.author_id != request.user.pk or comment.is_deleted:
        raise PermissionDenied("Only the author can delete this comment.")
    kept = services.comment_delete(comment=comment, user=request.user)
    if not request.htmx:
        messages.success(request, "Your comment was deleted.")
        anchor = comment.anchor if kept else f"discussion-{discussion.key}"
        return redirect(f"{discussion.target.get_absolute_url()}#{anchor}")
    discussion.thread = comment.thread  # its comment_count is the one just written
    if kept:
        comment.is_deleted = True
        context = {"discussion": discussion, "node": CommentNode(comment), "count_oob": True}
        return _render_partial(request, "comment-body", context)
    response = _render_partial(request, "comment-count-oob", {"discussion": discussion})
    response["HX-Retarget"] = f"#{comment.anchor}"
    response["HX-Reswap"] = "delete"
    return response


@require_POST
def comment_vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.on_pages_visible_to(request.user).select_related("thread"), pk=comment_id
    )
    next_url = safe_next(request, "/")
    if not request.user.is_authenticated:
        return login_redirect(request, next_url)
    return vote_response(
        request,
        form=VoteForm(request.POST),
        vote_model=CommentVote,
        target=comment,
        action=reverse("comment_vote", args=[comment.pk]),
        dom_id=f"votes-{comment.anchor}",
        next_url=next_url,
    )


def vote_response(
    request: HttpRequest,
    *,
    form: VoteForm,
    vote_model: type,
    target: models.Model,
    action: str,
    dom_id: str,
    next_url: str,
) -> HttpResponse:
    """Shared by every vote endpoint: validate, rate-limit, toggle, answer."""
    tally = Tally(target.upvotes, target.downvotes, 0)
    error, status = "", 200
    if not form.is_valid():
        error, status = form.errors["value"][0], 400
    elif getattr(target, "is_deleted", False):
        error, status = "You cannot vote on a deleted comment.", 400
    elif rate_limit_exceeded(user=request.user, action="vote"):
        error, status = "You are voting too fast. Please wait a minute and try again.", 429
    else:
        try:
            tally = services.vote_toggle(
                vote_model=vote_model, target=target, user=request.user, value=form.vote_value
            )
        except services.DiscussionError as exc:
            error, status = str(exc), 400
        except services.NotAllowed as exc:
            error, status = str(exc), 403
    if not request.htmx:
        if error:
            context = {"title": "Your vote was not counted", "message": error, "back": next_url}
            return render(request, "message.html", context, status=status)
        return HttpResponseRedirect(next_url)
    if error:
        own = vote_model.objects.filter(target=target, user=request.user).first()
        tally = Tally(target.upvotes, target.downvotes, own.value if own else 0)
    html = render_to_string(
        "_vote_form.html",
        {
            "action": action,
            "tally": tally,
            "dom_id": dom_id,
            "next": next_url,
            "error": error,
            "focus": request.POST.get("value"),
        },
        request=request,
    )
    return HttpResponse(html, status=status)


@require_http_methods(["GET", "POST"])
def comment_flag(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id, request.user)
    discussion = _discussion_for_comment(comment, request.user)
    back = f"{discussion.page_url}#{comment.anchor}"
    if not request.user.is_authenticated:
        return login_redirect(request, back)
    form = FlagForm(request.POST or None)
    context = {"discussion": discussion, "comment": comment, "form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                moderation.flag_create(
                    comment=comment,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except services.DiscussionError as error:
                form.add_error(None, str(error))
            except services.NotAllowed as error:
                form.add_error(None, str(error))
                status = 403
            else:
                thanks = "Thank you: moderators will review this comment."
                if request.htmx:
                    return _render_partial(request, "flag-done", {"message": thanks})
                messages.success(request, thanks)
                return redirect(back)
    if request.htmx:
        return _render_partial(request, "flag-form", context, status=status)
    return render(request, "discussion/comment_flag_page.html", context, status=status)


@require_GET
def moderation_log(request: HttpRequest) -> HttpResponse:
    """Public: what moderators did and why (never who flagged)."""
    page = Paginator(ModerationAction.objects.for_public_log(), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "discussion/moderation_log.html", {"page": page})
