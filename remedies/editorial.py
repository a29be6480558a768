"""Endpoints behind the admin's Markdown preview and citation picker (staff only)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from config.markup import render_editorial_markdown
from remedies.citations import References
from remedies.models import Citation

PREVIEW_MAX_LENGTH = 100_000


@require_POST
@staff_member_required
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The text as the public page will show it (sanitized, citations numbered)."""
    text = request.POST.get("text", "")[:PREVIEW_MAX_LENGTH]
    html = render_editorial_markdown(text)
    return HttpResponse(References([html]).cite_safe_html(html))


@require_GET
@staff_member_required
def citation_search(request: HttpRequest) -> JsonResponse:
    query = request.GET.get("q", "").strip()[:100]
    citations = Citation.objects.all()
    if query:
        citations = citations.filter(
            Q(key__icontains=query) | Q(source_name__icontains=query) | Q(title__icontains=query)
        )
    return JsonResponse(
        {"results": [{"key": c.key, "label": str(c)} for c in citations.order_by("key")[:20]]}
    )
