from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conditions.models import Condition
from config.pagecache import ACTIVITY, cache_anonymous_page, target_key
from config.seo import json_ld
from discussion import drafts
from discussion.forms import VoteForm
from discussion.models import Comment
from discussion.services import DiscussionError, NotAllowed
from discussion.tree import Discussion, TargetThreads, discussion_linked, discussion_load
from discussion.views import login_redirect, safe_next, vote_response
from remedies.charts import outcomes_chart, votes_chart
from remedies.citations import References
from remedies.experiences import community_disagrees, experience_summary
from remedies.forms import ExperienceReportForm
from remedies.models import (
    EFFECTIVENESS_DEFINITIONS,
    EVIDENCE_GRADE_DEFINITIONS,
    Effectiveness,
    EvidenceGrade,
    ExperienceReport,
    Pair,
    PairVote,
    Remedy,
    Warning,
    remedy_threads,
)
from remedies.search import clean_query
from remedies.search import search as site_search
from remedies.seo import pair_structured_data, remedy_structured_data
from remedies.services import experience_report_save

HOME_LIST_SIZE = 5


def _remedy_page_versions(request: HttpRequest, remedy_slug: str, **kwargs) -> list[str] | None:
    """A remedy page, and each of its pair pages, show the remedy's discussion and the
    votes and discussions of all its pairs (statistics, tallies): one query to name them."""
    rows = list(Pair.objects.filter(remedy__slug=remedy_slug).values_list("pk", "remedy_id"))
    remedy_id = (
        rows[0][1]
        if rows
        else Remedy.objects.filter(slug=remedy_slug).values_list("pk", flat=True).first()
    )
    if remedy_id is None:
        return None
    return [
        target_key("remedies.remedy", remedy_id),
        *(target_key("remedies.pair", pk) for pk, _ in rows),
    ]


@cache_anonymous_page(lambda request: [ACTIVITY])
def home(request: HttpRequest) -> HttpResponse:
    month_ago = timezone.now() - timedelta(days=30)
    published_pairs = Pair.objects.published()
    return render(
        request,
        "home.html",
        {
            "most_discussed": published_pairs.most_discussed_since(month_ago, HOME_LIST_SIZE),
            "newest_comments": Comment.objects.newest_public(HOME_LIST_SIZE),
            "top_rated": published_pairs.top_rated()[:HOME_LIST_SIZE],
            "conditions": Condition.objects.published().with_remedy_counts(),
            "remedies": Remedy.objects.published().with_condition_counts()[:12],
        },
    )


@cache_anonymous_page(lambda request: [])
def remedy_list(request: HttpRequest) -> HttpResponse:
    remedies = Remedy.objects.published().with_condition_counts()
    return render(request, "remedies/remedy_list.html", {"remedies": remedies})


def _discussion(request: HttpRequest, target, threads: TargetThreads) -> Discussion:
    return discussion_load(
        target=target,
        thread=threads.get(target),
        viewer=request.user,
        draft=drafts.draft_for(request.session, target),
    )


@cache_anonymous_page(_remedy_page_versions)
def remedy_detail(request: HttpRequest, remedy_slug: str) -> HttpResponse:
    remedy = get_object_or_404(Remedy.objects.visible_to(request.user), slug=remedy_slug)
    pairs = list(remedy.pairs.visible_to(request.user).ranked_for_remedy().with_threads())
    warnings = list(remedy.warnings.remedy_wide())
    threads = remedy_threads(remedy, pairs)
    return render(
        request,
        "remedies/remedy_detail.html",
        {
            "remedy": remedy,
            "pairs": pairs,
            "warnings": warnings,
            "products": list(remedy.products.all()),
            "references": References(remedy.cited_texts(warnings)),
            "structured_data": json_ld(remedy_structured_data(remedy, request)),
            "remedy_discussion": _discussion(request, remedy, threads),
            "statistics": remedy.statistics(pairs, threads),
        },
    )


@cache_anonymous_page(_remedy_page_versions)
def pair_detail(request: HttpRequest, remedy_slug: str, condition_slug: str) -> HttpResponse:
    remedy_pairs = list(
        Pair.objects.visible_to(request.user).of_remedy_for_pair_page(remedy_slug, request.user)
    )
    pair = next((p for p in remedy_pairs if p.condition.slug == condition_slug), None)
    if pair is None:
        raise Http404("No such page.")
    prefetch_related_objects([pair], "regimens", "evidence_items")
    warnings = list(Warning.objects.for_pair(pair))
    threads = remedy_threads(pair.remedy, remedy_pairs)
    return render(
        request,
        "remedies/pair_detail.html",
        {
            "pair": pair,
            "remedy": pair.remedy,
            "condition": pair.condition,
            "warnings": warnings,
            "remedy_pairs": remedy_pairs,
            "products": list(pair.remedy.products.all()),
            "references": References(pair.cited_texts(warnings)),
            "structured_data": json_ld(pair_structured_data(pair, request)),
            **_experience_context(request, pair),
            # Shown in full on the remedy page; here it is loaded by htmx, or linked to.
            "remedy_discussion": discussion_linked(
                target=pair.remedy, thread=threads.get(pair.remedy)
            ),
            "pair_discussion": _discussion(request, pair, threads),
            "statistics": pair.remedy.statistics(remedy_pairs, threads),
        },
    )


def _experience_context(request: HttpRequest, pair: Pair, form=None) -> dict:
    """What the pair page shows of members' experience reports, and the member's form."""
    summary = experience_summary(pair)
    if form is None and request.user.is_authenticated:
        # The pair page's query already tells whether the member has a report.
        has_none = getattr(pair, "own_report_id", 0) is None
        own = (
            None
            if has_none
            else ExperienceReport.objects.filter(pair=pair, user=request.user).first()
        )
        form = ExperienceReportForm.for_report(own, pair=pair)
    return {
        "experiences": summary,
        "disagreement": community_disagrees(pair, summary),
        "votes_chart": votes_chart(PairVote.objects.monthly_tally(pair)),
        "outcomes_chart": outcomes_chart(summary.breakdowns),
        "report_form": form,
    }


@require_http_methods(["GET", "POST"])
def experience_report(request: HttpRequest, remedy_slug: str, condition_slug: str) -> HttpResponse:
    """Add or change the member's experience report (inline with htmx, or its own page)."""
    pair = get_object_or_404(
        Pair.objects.visible_to(request.user).for_detail_page(),
        remedy__slug=remedy_slug,
        condition__slug=condition_slug,
    )
    back = f"{pair.get_absolute_url()}#experiences"
    if not request.user.is_authenticated:
        return login_redirect(request, back)
    form, status = None, 200
    if request.method == "POST":
        form = ExperienceReportForm(request.POST, pair=pair)
        status = 400
        if form.is_valid():
            try:
                experience_report_save(user=request.user, pair=pair, data=form.cleaned_data)
            except NotAllowed as error:
                form.add_error(None, str(error))
                status = 403
            except DiscussionError as error:
                form.add_error(None, str(error))
            else:
                if not request.htmx:
                    messages.success(request, "Thank you: your experience report is saved.")
                    return redirect(back)
                form, status = None, 200
    context = {
        "pair": pair,
        "remedy": pair.remedy,
        "condition": pair.condition,
        "saved": form is None and request.method == "POST",
    }
    context |= _experience_context(request, pair, form)
    if request.htmx:
        return render(request, "remedies/pair_detail.html#experiences", context, status=status)
    return render(request, "remedies/experience_report.html", context, status=status)


@require_POST
def pair_vote(request: HttpRequest, remedy_slug: str, condition_slug: str) -> HttpResponse:
    pair = get_object_or_404(
        Pair.objects.visible_to(request.user).select_related("remedy", "condition"),
        remedy__slug=remedy_slug,
        condition__slug=condition_slug,
    )
    next_url = safe_next(request, f"{pair.get_absolute_url()}#community-vote")
    if not request.user.is_authenticated:
        return login_redirect(request, next_url)
    return vote_response(
        request,
        form=VoteForm(request.POST),
        vote_model=PairVote,
        target=pair,
        action=reverse("pair_vote", args=[remedy_slug, condition_slug]),
        dom_id="pair-votes",
        next_url=next_url,
    )


def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    results = site_search(query) if query else []
    return render(request, "search.html", {"query": query, "results": results})


@cache_anonymous_page(lambda request: [])
def grading(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "remedies/grading.html",
        {
            "effectiveness_scale": [
                (level.label, EFFECTIVENESS_DEFINITIONS[level]) for level in Effectiveness
            ],
            "grade_scale": [
                (grade.value, grade.label, EVIDENCE_GRADE_DEFINITIONS[grade])
                for grade in EvidenceGrade
            ],
            "min_reports": settings.MIN_REPORTS_FOR_PERCENTAGES,
        },
    )
