from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from remedies.citations import References
from remedies.models import (
    EFFECTIVENESS_DEFINITIONS,
    EVIDENCE_GRADE_DEFINITIONS,
    Effectiveness,
    EvidenceGrade,
    Pair,
    Remedy,
    Warning,
)


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {"remedies": Remedy.objects.with_condition_counts()[:12]},
    )


def remedy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "remedies/remedy_list.html", {"remedies": Remedy.objects.with_condition_counts()}
    )


def remedy_detail(request: HttpRequest, remedy_slug: str) -> HttpResponse:
    remedy = get_object_or_404(Remedy, slug=remedy_slug)
    pairs = list(remedy.pairs.ranked_for_remedy())
    warnings = list(remedy.warnings.remedy_wide())
    return render(
        request,
        "remedies/remedy_detail.html",
        {
            "remedy": remedy,
            "pairs": pairs,
            "warnings": warnings,
            "products": list(remedy.products.all()),
            "references": References(remedy.cited_texts(warnings)),
        },
    )


def pair_detail(request: HttpRequest, remedy_slug: str, condition_slug: str) -> HttpResponse:
    pair = get_object_or_404(
        Pair.objects.for_detail_page(), remedy__slug=remedy_slug, condition__slug=condition_slug
    )
    warnings = list(Warning.objects.for_pair(pair))
    return render(
        request,
        "remedies/pair_detail.html",
        {
            "pair": pair,
            "remedy": pair.remedy,
            "condition": pair.condition,
            "warnings": warnings,
            "remedy_pairs": list(pair.remedy.pairs.ranked_for_remedy()),
            "products": list(pair.remedy.products.all()),
            "references": References(pair.cited_texts(warnings)),
        },
    )


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
        },
    )
