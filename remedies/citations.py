"""Citation markers: editors write `[@key]` after the text a source supports.

Stored HTML keeps the marker; a page numbers its markers in reading order and links each
to its entry in the page's reference list.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

CITATION_MARKER = re.compile(r"\[@([a-z0-9]+(?:-[a-z0-9]+)*)\]")


def citation_keys(text: str) -> list[str]:
    return CITATION_MARKER.findall(text)


def strip_citation_markers(text: str) -> str:
    return CITATION_MARKER.sub("", text)


def validate_citation_markers(text: str, *, field: str) -> None:
    from remedies.models import Citation

    keys = set(citation_keys(text))
    if not keys:
        return
    known = set(Citation.objects.filter(key__in=keys).values_list("key", flat=True))
    if unknown := sorted(keys - known):
        raise ValidationError({field: f"Unknown citation key: {', '.join(unknown)}."})


class References:
    """The numbered reference list of one page.

    Numbers follow the order in which `texts` first cite each source, so they are known
    before the template starts printing.
    """

    def __init__(self, texts: Iterable[str]):
        from remedies.models import Citation

        order: dict[str, None] = {}
        for text in texts:
            for key in citation_keys(text):
                order.setdefault(key, None)
        by_key = {c.key: c for c in Citation.objects.filter(key__in=order)} if order else {}
        self.entries = [
            (number, by_key[key])
            for number, key in enumerate((key for key in order if key in by_key), start=1)
        ]
        self._numbers = {citation.key: number for number, citation in self.entries}

    def cite_safe_html(self, html: str) -> SafeString:
        """`cite` for HTML that was already sanitized (by config.markup)."""
        return self.cite(mark_safe(html))

    def cite(self, text: str) -> SafeString:
        """Escape `text` unless already safe, and turn its markers into numbered links."""

        def link(match: re.Match) -> str:
            number = self._numbers.get(match.group(1))
            if number is None:  # a deleted citation: drop the marker, keep the text
                return ""
            return format_html(
                '<sup class="cite"><a href="#ref-{}" aria-label="Reference {}">[{}]</a></sup>',
                number,
                number,
                number,
            )

        return mark_safe(CITATION_MARKER.sub(link, str(conditional_escape(text))))
