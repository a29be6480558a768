from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from conditions.models import Condition


def condition_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "conditions/condition_list.html",
        {"conditions": Condition.objects.published().with_remedy_counts()},
    )


def condition_detail(request: HttpRequest, condition_slug: str) -> HttpResponse:
    condition = get_object_or_404(Condition.objects.visible_to(request.user), slug=condition_slug)
    # Pairs attach themselves to conditions; this app only follows the reverse relation.
    pairs = condition.pairs.published().ranked_for_condition()
    return render(
        request, "conditions/condition_detail.html", {"condition": condition, "pairs": pairs}
    )
