"""Stored full-text search vectors (PostgreSQL), kept current on every editorial save.

Searching must not build a vector for every page on every request, so each remedy,
condition and pair keeps its own in `search_vector` (GIN-indexed), written here. The
builders take the model classes so the migration that fills the column can use them with
its historical models. On SQLite the column stays empty: search there matches words.
"""

from collections.abc import Iterable

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Model, OuterRef, Q, Subquery

CONFIG = "english"


def remedy_document() -> SearchVector:
    return (
        SearchVector("name", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector(
            "what_it_is",
            "how_it_works",
            "why_important",
            "considerations",
            weight="C",
            config=CONFIG,
        )
    )


def condition_document() -> SearchVector:
    return SearchVector("name", weight="A", config=CONFIG) + SearchVector(
        "summary", "description", weight="B", config=CONFIG
    )


def pair_document(remedy: type[Model], condition: type[Model], evidence: type[Model]):
    """Names of the remedy and condition, the bottom line, then mechanism and findings."""

    def name_of(model: type[Model], field: str) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef(field)).values("name")[:1])

    findings = Subquery(
        evidence.objects.filter(pair=OuterRef("pk"))
        .values("pair")
        .annotate(text=StringAgg("finding", " "))
        .values("text")
    )
    return (
        SearchVector(
            name_of(remedy, "remedy_id"),
            name_of(condition, "condition_id"),
            weight="A",
            config=CONFIG,
        )
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector("mechanism", findings, weight="C", config=CONFIG)
    )


def _enabled() -> bool:
    return connection.vendor == "postgresql"


def index_remedies(ids: Iterable[int]) -> None:
    """Refresh the vectors of these remedies and of their pairs (they carry its name)."""
    from remedies.models import Remedy

    if _enabled():
        Remedy.objects.filter(pk__in=ids).update(search_vector=remedy_document())
        index_pairs(Q(remedy__in=ids))


def index_conditions(ids: Iterable[int]) -> None:
    """Refresh the vectors of these conditions and of their pairs."""
    from conditions.models import Condition

    if _enabled():
        Condition.objects.filter(pk__in=ids).update(search_vector=condition_document())
        index_pairs(Q(condition__in=ids))


def index_pairs(which: Q | Iterable[int] | None = None) -> None:
    """Refresh pair vectors: all (None), by primary keys, or those matching a Q."""
    from conditions.models import Condition
    from remedies.models import Evidence, Pair, Remedy

    if not _enabled():
        return
    pairs = Pair.objects.all()
    if isinstance(which, Q):
        pairs = pairs.filter(which)
    elif which is not None:
        pairs = pairs.filter(pk__in=which)
    pairs.update(search_vector=pair_document(Remedy, Condition, Evidence))


def index_everything() -> None:
    """After bulk writes that bypass save(), such as the demo data generator."""
    from conditions.models import Condition
    from remedies.models import Remedy

    if _enabled():
        Remedy.objects.update(search_vector=remedy_document())
        Condition.objects.update(search_vector=condition_document())
        index_pairs()
