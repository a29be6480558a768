from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from conditions.models import Condition
from config.pagecache import cache_anonymous_page, target_key
from config.seo import json_ld


def _condition_page_versions(request: HttpRequest, condition_slug: str) -> list[str] | None:
    """The ranking moves with the votes on every pair of the condition."""
    rows = list(Condition.objects.filter(slug=condition_slug).values_list("pk", "pairs__id"))
    if not rows:
        return None
    return [target_key("remedies.pair", pair_id) for _, pair_id in rows if pair_id]


@cache_anonymous_page(lambda request: [])
def condition_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "conditions/condition_list.html",
        {"conditions": Condition.objects.published().with_remedy_counts()},
    )


@cache_anonymous_page(_condition_page_versions)
def condition_detail(request: HttpRequest, condition_slug: str) -> HttpResponse:
    condition = get_object_or_404(Condition.objects.visible_to(request.user), slug=condition_slug)
    sort = "community" if request.GET.get("sort") == "community" else "evidence"
    # Pairs attach themselves to conditions; this app only follows the reverse relation.
    pairs = condition.pairs.visible_to(request.user).ranked_for_condition(sort)
    structured_data = {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": condition.name,
        "description": condition.summary,
        "url": request.build_absolute_uri(condition.get_absolute_url()),
    }
    return render(
        request,
        "conditions/condition_detail.html",
        {
            "condition": condition,
            "pairs": pairs,
            "sort": sort,
            "structured_data": json_ld(structured_data),
        },
    )
