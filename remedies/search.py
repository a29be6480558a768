"""Site search over remedies, conditions and remedy-for-condition pages.

On PostgreSQL: full-text search with ranking (weights: names, summaries, body text) plus
trigram similarity on names, so a misspelling still finds its page. On SQLite: every
word must appear somewhere, names count most. A constant number of queries either way.
"""

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from conditions.models import Condition
from remedies.citations import strip_citation_markers
from remedies.models import Pair, Remedy
from remedies.search_index import CONFIG

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
RESULTS_PER_KIND = 20
SNIPPET_RADIUS = 110
MIN_SIMILARITY = 0.35
# When scores tie, the remedy-for-condition page answers "what helps X?" best.
KIND_ORDER = {"pair": 0, "remedy": 1, "condition": 2}


@dataclass
class SearchResult:
    kind: str
    label: str
    title: str
    url: str
    snippet: SafeString
    score: float


def clean_query(raw: str) -> str:
    """What a person typed, made safe to search: no control characters, bounded length."""
    text = "".join(ch for ch in raw if ch.isprintable())
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def query_words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1][:MAX_WORDS]


def highlight(text: str, words: list[str]) -> SafeString:
    """Escape `text` and wrap each occurrence of the query's words in <mark>."""
    escaped = escape(text)
    if not words:
        return mark_safe(escaped)
    pattern = re.compile(r"(" + "|".join(re.escape(escape(w)) for w in words) + r")", re.I)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))


def snippet(texts: list[str], words: list[str]) -> SafeString:
    """A short window of the first text that mentions a query word (else the first text)."""
    plain = [" ".join(strip_citation_markers(t).split()) for t in texts if t]
    for text in plain:
        lowered = text.lower()
        hits = [lowered.find(w) for w in words if w in lowered]
        if hits:
            at = min(hits)
            start = max(0, at - SNIPPET_RADIUS)
            end = min(len(text), at + SNIPPET_RADIUS)
            window = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            return highlight(window, words)
    first = plain[0] if plain else ""
    return highlight(
        first[: 2 * SNIPPET_RADIUS] + ("…" if len(first) > 2 * SNIPPET_RADIUS else ""), words
    )


def search(query: str) -> list[SearchResult]:
    query = clean_query(query)
    words = query_words(query)
    if not words:
        return []
    if connection.vendor == "postgresql":
        remedies, conditions, pairs = _postgres_matches(query)
    else:
        remedies, conditions, pairs = _simple_matches(words)
    results = [
        SearchResult(
            "remedy",
            "Remedy",
            r.name,
            r.get_absolute_url(),
            snippet([r.summary, _text(r.what_it_is_html), _text(r.how_it_works_html)], words),
            r.search_score,
        )
        for r in remedies
    ]
    results += [
        SearchResult(
            "condition",
            "Condition",
            c.name,
            c.get_absolute_url(),
            snippet([c.summary, _text(c.description_html)], words),
            c.search_score,
        )
        for c in conditions
    ]
    results += [
        SearchResult(
            "pair",
            "Remedy for a condition",
            f"{p.remedy.name} for {p.condition.name}",
            p.get_absolute_url(),
            snippet([p.summary, p.mechanism, *(e.finding for e in p.evidence_items.all())], words),
            p.search_score,
        )
        for p in pairs
    ]
    results.sort(key=lambda r: (-r.score, KIND_ORDER[r.kind], r.title))
    return results


def _postgres_matches(query: str):
    """Ranked by the stored vectors (remedies.search_index), plus trigram similarity of
    names so that a misspelled name still finds its page."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    terms = SearchQuery(query, search_type="websearch", config=CONFIG)

    def ranked(queryset, similarity):
        return (
            queryset.annotate(
                similarity=similarity,
                search_score=SearchRank(F("search_vector"), terms) + F("similarity"),
            )
            .filter(Q(search_vector=terms) | Q(similarity__gte=MIN_SIMILARITY))
            .order_by("-search_score")[:RESULTS_PER_KIND]
        )

    remedies = ranked(Remedy.objects.published(), TrigramWordSimilarity(Value(query), "name"))
    conditions = ranked(Condition.objects.published(), TrigramWordSimilarity(Value(query), "name"))
    pairs = ranked(
        Pair.objects.published()
        .select_related("remedy", "condition")
        .prefetch_related("evidence_items"),
        Greatest(
            TrigramWordSimilarity(Value(query), "remedy__name"),
            TrigramWordSimilarity(Value(query), "condition__name"),
        ),
    )
    return list(remedies), list(conditions), list(pairs)


def _simple_matches(words: list[str]):
    """Every word must appear in one of the fields; matches in names score highest."""

    def matching(queryset, name_fields, text_fields):
        for word in words:
            condition = Q()
            for field in (*name_fields, *text_fields):
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        found = list(queryset.distinct()[: RESULTS_PER_KIND * 5])
        for obj in found:
            names = " ".join(_value(obj, f) for f in name_fields).lower()
            obj.search_score = sum(2.0 if w in names else 0.5 for w in words) / len(words)
        found.sort(key=lambda o: -o.search_score)
        return found[:RESULTS_PER_KIND]

    remedies = matching(
        Remedy.objects.published(),
        ["name"],
        ["summary", "what_it_is", "how_it_works", "why_important", "considerations"],
    )
    conditions = matching(Condition.objects.published(), ["name"], ["summary", "description"])
    pairs = matching(
        Pair.objects.published()
        .select_related("remedy", "condition")
        .prefetch_related("evidence_items"),
        ["remedy__name", "condition__name"],
        ["summary", "mechanism", "evidence_items__finding"],
    )
    return remedies, conditions, pairs


def _text(html_fragment: str) -> str:
    """Stored, sanitized HTML as the plain text a reader sees."""
    return html.unescape(strip_tags(html_fragment))


def _value(obj, path: str) -> str:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return str(obj)
