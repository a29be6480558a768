"""The curated content: remedies, their pairs with conditions, and what supports them."""

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject, NullIf, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from simple_history.models import HistoricalRecords

from config.markup import EditorialMarkdownModel
from config.publishing import PublishableModel, PublishableQuerySet, PublishStatus
from config.validators import validate_public_slug
from discussion.models import AbstractVote, Comment, Thread, VotableModel
from discussion.tree import TargetThreads
from remedies.citations import strip_citation_markers, validate_citation_markers

TEASER_LENGTH = 150


class Effectiveness(models.IntegerChoices):
    """Overall verdict for a remedy used for one condition; higher is better."""

    EFFECTIVE = 7, "Effective"
    LIKELY_EFFECTIVE = 6, "Likely effective"
    POSSIBLY_EFFECTIVE = 5, "Possibly effective"
    INSUFFICIENT_EVIDENCE = 4, "Insufficient evidence"
    POSSIBLY_INEFFECTIVE = 3, "Possibly ineffective"
    LIKELY_INEFFECTIVE = 2, "Likely ineffective"
    INEFFECTIVE = 1, "Ineffective"


EFFECTIVENESS_DEFINITIONS = {
    Effectiveness.EFFECTIVE: "Consistent benefit in several high-quality randomized trials "
    "or meta-analyses of them, on outcomes that matter to patients.",
    Effectiveness.LIKELY_EFFECTIVE: "Benefit in good trials, with minor inconsistencies or "
    "limits in size or duration.",
    Effectiveness.POSSIBLY_EFFECTIVE: "Some trials show benefit, but they are small, "
    "open-label, short, heterogeneous, or measure surrogate markers rather than outcomes.",
    Effectiveness.INSUFFICIENT_EVIDENCE: "Too little reliable research to say either way.",
    Effectiveness.POSSIBLY_INEFFECTIVE: "Some trials found no benefit; the evidence is limited.",
    Effectiveness.LIKELY_INEFFECTIVE: "Good trials found no benefit.",
    Effectiveness.INEFFECTIVE: "Consistent absence of benefit in high-quality trials, or harm.",
}


class EvidenceGrade(models.TextChoices):
    """Strength of the evidence for one outcome."""

    A = "A", "A: strong"
    B = "B", "B: good"
    C = "C", "C: limited"
    D = "D", "D: weak"
    F = "F", "F: none or against"


EVIDENCE_GRADE_DEFINITIONS = {
    EvidenceGrade.A: "Several large, well-conducted randomized controlled trials or a "
    "meta-analysis of them agree, on the outcome itself.",
    EvidenceGrade.B: "Randomized trials agree, with some limits: fewer or smaller trials, "
    "short follow-up, or some risk of bias.",
    EvidenceGrade.C: "Small, open-label or heterogeneous trials, or results that vary "
    "between populations and forms; suggestive, not settled.",
    EvidenceGrade.D: "Mixed or conflicting trials, surrogate markers only, or mainly "
    "observational and laboratory data.",
    EvidenceGrade.F: "No benefit found in adequate trials, or evidence of harm.",
}


class Citation(models.Model):
    """A source that editorial text cites with a `[@key]` marker."""

    key = models.SlugField(
        max_length=80,
        unique=True,
        validators=[validate_public_slug],
        help_text="Cite it in any editorial text as [@key].",
    )
    source_name = models.CharField(
        max_length=200, help_text="As the source names itself, e.g. “Oxford Academic”."
    )
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    pmid = models.CharField("PMID", max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source_name", "key"]

    def __str__(self) -> str:
        return f"{self.source_name}: {self.title}" if self.title else self.source_name


@dataclass(frozen=True)
class RemedyStatistics:
    conditions: int
    upvotes: int
    downvotes: int
    comments: int
    members: int


class RemedyQuerySet(PublishableQuerySet):
    def with_condition_counts(self) -> "RemedyQuerySet":
        """Count the published conditions of each remedy."""
        published = Q(pairs__status="published", pairs__condition__status="published")
        return self.annotate(condition_count=models.Count("pairs", filter=published))


class Remedy(EditorialMarkdownModel, PublishableModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, validators=[validate_public_slug])
    summary = models.CharField(
        max_length=300, blank=True, help_text="One plain sentence, shown in lists and previews."
    )
    what_it_is = models.TextField(blank=True, help_text="Markdown; cite sources as [@key].")
    what_it_is_html = models.TextField(blank=True, editable=False)
    how_it_works = models.TextField(blank=True, help_text="Markdown; cite sources as [@key].")
    how_it_works_html = models.TextField(blank=True, editable=False)
    why_important = models.TextField(
        "why it’s important", blank=True, help_text="Markdown; cite sources as [@key]."
    )
    why_important_html = models.TextField(blank=True, editable=False)
    considerations = models.TextField(blank=True, help_text="Markdown; cite sources as [@key].")
    considerations_html = models.TextField(blank=True, editable=False)
    # Deleting the remedy deletes its discussion too.
    discussion_threads = GenericRelation(Thread, related_query_name="remedy")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Full-text search (PostgreSQL), written by remedies.search_index on every save.
    search_vector = SearchVectorField(null=True, editable=False)

    markdown_fields = ("what_it_is", "how_it_works", "why_important", "considerations")
    objects = RemedyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "remedies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field in self.markdown_fields:
            validate_citation_markers(getattr(self, field), field=field)

    def get_absolute_url(self) -> str:
        return reverse("remedy_detail", args=[self.slug])

    @classmethod
    def discussion_queryset(cls, viewer) -> RemedyQuerySet:
        """Remedies whose discussion `viewer` may read and join."""
        return cls.objects.visible_to(viewer)

    def statistics(self, pairs: list["Pair"], threads: TargetThreads) -> RemedyStatistics:
        """Figures for "Remedy Statistics", given its pairs and the threads of the remedy
        and its pairs: one more query, whatever the amount of activity."""
        thread_ids = [thread.pk for thread in threads.threads]
        commenters = Comment.objects.filter(thread__in=thread_ids, is_deleted=False)
        voters = PairVote.objects.filter(target__remedy=self)
        return RemedyStatistics(
            conditions=len(pairs),
            upvotes=sum(pair.upvotes for pair in pairs),
            downvotes=sum(pair.downvotes for pair in pairs),
            comments=threads.comment_count,
            members=commenters.values("author").union(voters.values("user")).count(),
        )

    def cited_texts(self, remedy_wide_warnings: list["Warning"]) -> Iterator[str]:
        """Texts of the remedy page in reading order, for numbering its citations."""
        for field in self.markdown_fields:
            yield getattr(self, f"{field}_html")
        for warning in remedy_wide_warnings:
            yield warning.body_html


class PairQuerySet(PublishableQuerySet):
    def published(self) -> "PairQuerySet":
        """Published pairs of a published remedy and a published condition."""
        return self.filter(
            status=PublishStatus.PUBLISHED,
            remedy__status=PublishStatus.PUBLISHED,
            condition__status=PublishStatus.PUBLISHED,
        )

    def needing_review(self) -> "PairQuerySet":
        """Never reviewed, or not for a year."""
        year_ago = timezone.localdate() - timedelta(days=365)
        return self.filter(Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=year_ago))

    def with_overall_grade(self) -> "PairQuerySet":
        """Annotate `overall_grade`: the editors' overall grade, else the grade of the first
        evidence item (editors list the outcome that matters most first)."""
        first_item = Evidence.objects.filter(pair=OuterRef("pk")).order_by("order", "id")
        return self.annotate(
            overall_grade=Coalesce(
                NullIf("evidence_grade", Value("")), Subquery(first_item.values("grade")[:1])
            )
        )

    def ranked_for_remedy(self) -> "PairQuerySet":
        """Use on `remedy.pairs` (which caches the remedy): its conditions, best first."""
        return (
            self.select_related("condition")
            .with_overall_grade()
            .order_by("-effectiveness", "condition__name")
        )

    def ranked_for_condition(self, sort: str = "evidence") -> "PairQuerySet":
        """Use on `condition.pairs` (which caches the condition): its remedies ranked by
        what the science says ("evidence") or by what members say ("community").
        Ties always fall back to the remedy's name, then its id."""
        grade_order = F("overall_grade").asc(nulls_last=True)
        orderings = {
            "evidence": ("-effectiveness", grade_order, "-score", "remedy__name", "pk"),
            "community": (
                "-score",
                "-upvotes",
                "-effectiveness",
                grade_order,
                "remedy__name",
                "pk",
            ),
        }
        return (
            self.select_related("remedy")
            .with_overall_grade()
            .order_by(*orderings.get(sort, orderings["evidence"]))
        )

    def of_remedy_for_pair_page(self, remedy_slug: str, viewer) -> "PairQuerySet":
        """Every pair of one remedy, ranked, with the viewer's vote and own report id: a
        pair page finds its own pair in this list and shows the rest as the remedy's other
        conditions, in one query."""
        pairs = (
            self.filter(remedy__slug=remedy_slug)
            .select_related("remedy")
            .ranked_for_remedy()
            .with_viewer_vote(viewer)
            .with_threads()
        )
        if not viewer.is_authenticated:
            return pairs.annotate(own_report_id=Value(None, output_field=models.IntegerField()))
        own = ExperienceReport.objects.filter(pair=OuterRef("pk"), user=viewer).values("pk")
        return pairs.annotate(own_report_id=Subquery(own[:1]))

    def with_threads(self) -> "PairQuerySet":
        """Annotate `thread_data` and `remedy_thread_data`: id, comment count and lock state
        of the pair's discussion thread and of its remedy's (None while there is none), so
        pages listing a remedy's pairs need no query of their own for the threads."""

        def thread_of(model: type[models.Model], object_id: str) -> Subquery:
            return Subquery(
                Thread.objects.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id=OuterRef(object_id),
                ).values(
                    data=JSONObject(id="id", comment_count="comment_count", is_locked="is_locked")
                )[:1]
            )

        return self.annotate(
            thread_data=thread_of(Pair, "pk"), remedy_thread_data=thread_of(Remedy, "remedy_id")
        )

    def for_detail_page(self) -> "PairQuerySet":
        return self.select_related("remedy", "condition").prefetch_related(
            "regimens", "evidence_items"
        )

    def most_discussed_since(self, since, limit: int) -> list["Pair"]:
        """The `limit` pairs with the most comments posted since `since`, each with
        `recent_comments`; ties go to the better-rated pair.

        Two narrow queries: count recent comments per pair (thread ids only, filtered by
        the index on created_at), then load the winners. Grouping the wide pair rows
        themselves sorted every recent comment's joined row, on disk at scale.
        """
        pair_type = ContentType.objects.get_for_model(self.model)
        counts = dict(
            Comment.objects.filter(
                created_at__gte=since,
                is_deleted=False,
                thread__content_type=pair_type,
                thread__object_id__in=self.values("pk"),
            )
            .values_list("thread__object_id")
            .annotate(recent=models.Count("pk"))
            .order_by("-recent", "thread__object_id")[: limit * 4]
        )
        pairs = list(self.filter(pk__in=counts).select_related("remedy", "condition"))
        for pair in pairs:
            pair.recent_comments = counts[pair.pk]
        pairs.sort(key=lambda pair: (-pair.recent_comments, -pair.score, pair.pk))
        return pairs[:limit]

    def top_rated(self) -> "PairQuerySet":
        """Pairs members rate best (Wilson lower bound, so a few votes cannot top it)."""
        return (
            self.select_related("remedy", "condition")
            .filter(Q(upvotes__gt=0) | Q(downvotes__gt=0))
            .order_by("-score", "-upvotes", "pk")
        )

    def with_viewer_vote(self, user) -> "PairQuerySet":
        """Annotate `viewer_vote`: the viewer's own vote on the pair (1, -1) or 0."""
        if not user.is_authenticated:
            return self.annotate(viewer_vote=Value(0))
        own = PairVote.objects.filter(target=OuterRef("pk"), user=user).values("value")
        return self.annotate(viewer_vote=Coalesce(Subquery(own[:1]), Value(0)))


def remedy_threads(remedy: "Remedy", pairs: list["Pair"]) -> TargetThreads:
    """The threads of a remedy and of its pairs, read from the pairs' `with_threads()`
    annotations; fetched only when there is no pair to carry them."""
    if not pairs:
        return TargetThreads.fetch([remedy])
    fields = ["id", "content_type_id", "object_id", "comment_count", "is_locked"]

    def thread(data: dict | None, target: models.Model) -> list[Thread]:
        if data is None:
            return []
        content_type = ContentType.objects.get_for_model(target)
        values = [data["id"], content_type.pk, target.pk, data["comment_count"]]
        return [Thread.from_db(Thread.objects.db, fields, [*values, bool(data["is_locked"])])]

    threads = thread(pairs[0].remedy_thread_data, remedy)
    for pair in pairs:
        threads += thread(pair.thread_data, pair)
    return TargetThreads(threads)


class Pair(EditorialMarkdownModel, PublishableModel, VotableModel):
    """A remedy used for one condition: the page at /remedies/<remedy>/<condition>/.

    Members vote on whether it helps (`upvotes`, `downvotes`, kept by PairVote).
    """

    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="pairs")
    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.CASCADE, related_name="pairs"
    )
    effectiveness = models.PositiveSmallIntegerField(
        choices=Effectiveness.choices, default=Effectiveness.INSUFFICIENT_EVIDENCE
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="One plain sentence: the bottom line."
    )
    evidence_grade = models.CharField(
        "overall evidence grade",
        max_length=1,
        choices=EvidenceGrade.choices,
        blank=True,
        help_text="Leave empty to use the grade of the first evidence item below.",
    )
    mechanism = models.TextField(
        "why it works", blank=True, help_text="Markdown; cite sources as [@key]."
    )
    mechanism_html = models.TextField(blank=True, editable=False)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When an editor last checked this page against the research.",
    )
    # Deleting the pair deletes its discussion too.
    discussion_threads = GenericRelation(Thread, related_query_name="pair")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Full-text search (PostgreSQL), written by remedies.search_index on every save.
    search_vector = SearchVectorField(null=True, editable=False)

    markdown_fields = ("mechanism",)
    objects = PairQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        verbose_name = "remedy for a condition"
        verbose_name_plural = "remedies for conditions"
        constraints = [
            models.UniqueConstraint(fields=["remedy", "condition"], name="unique_remedy_condition")
        ]
        indexes = [
            models.Index(fields=["condition", "-effectiveness"]),
            # "Top rated" on the home page walks this instead of sorting every pair.
            models.Index(fields=["-score", "-upvotes", "id"], name="pair_top_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.remedy} for {self.condition}"

    @classmethod
    def discussion_queryset(cls, viewer) -> PairQuerySet:
        """Pairs whose discussion `viewer` may read and join, with what their links need."""
        return cls.objects.visible_to(viewer).select_related("remedy", "condition")

    @property
    def community_score(self) -> int | None:
        """The Wilson lower bound of the votes, as a percentage; None without votes."""
        return round(self.score * 100) if self.upvotes + self.downvotes else None

    @property
    def grade(self) -> str:
        """The overall evidence grade (see PairQuerySet.with_overall_grade)."""
        if hasattr(self, "overall_grade"):
            return self.overall_grade or ""
        if self.evidence_grade:
            return self.evidence_grade
        first = next(iter(self.evidence_items.all()), None)
        return first.grade if first else ""

    @property
    def is_draft(self) -> bool:
        """Readers cannot see it: it, its remedy or its condition is not published."""
        return (
            self.status != PublishStatus.PUBLISHED
            or self.remedy.is_draft
            or self.condition.is_draft
        )

    def clean(self) -> None:
        validate_citation_markers(self.mechanism, field="mechanism")

    def get_absolute_url(self) -> str:
        return reverse("pair_detail", args=[self.remedy.slug, self.condition.slug])

    @property
    def teaser(self) -> str:
        """The start of the mechanism text, as plain text, for previews."""
        plain = html.unescape(strip_tags(self.mechanism_html))
        text = " ".join(strip_citation_markers(plain).split())
        if len(text) <= TEASER_LENGTH:
            return text
        return text[:TEASER_LENGTH] + "..."

    def cited_texts(self, warnings: list["Warning"]) -> Iterator[str]:
        """Texts of the pair page in reading order, for numbering its citations."""
        yield self.mechanism_html
        for regimen in self.regimens.all():
            yield from regimen.cited_texts()
        for item in self.evidence_items.all():
            yield item.finding_html
        for warning in warnings:
            yield warning.body_html
        # The pair page also carries the remedy's general information, after the above.
        yield from self.remedy.cited_texts(remedy_wide_warnings=[])


class DosingRegimen(EditorialMarkdownModel):
    """One way to take the remedy for the condition, as studied."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="regimens")
    order = models.PositiveSmallIntegerField(default=0)
    form = models.CharField(max_length=120, help_text="e.g. “MK-4 (menatetrenone)”.")
    approach = models.CharField(
        max_length=200, blank=True, help_text="e.g. “pharmacologic dosing (Japan)”."
    )
    dose = models.CharField(max_length=300, blank=True)
    frequency = models.CharField(max_length=300, blank=True)
    duration = models.CharField(max_length=300, blank=True)
    with_food = models.CharField(max_length=300, blank=True)
    pair_with = models.CharField("what to pair with", max_length=300, blank=True)
    details = models.TextField(blank=True, help_text="Markdown; cite sources as [@key].")
    details_html = models.TextField(blank=True, editable=False)

    markdown_fields = ("details",)
    history = HistoricalRecords()
    # Short plain-text fields that may carry [@key] citation markers.
    cited_fields = ("dose", "frequency", "with_food", "duration", "pair_with")  # as displayed

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.form} — {self.approach}" if self.approach else self.form

    def clean(self) -> None:
        for field in (*self.cited_fields, "details"):
            validate_citation_markers(getattr(self, field), field=field)

    def cited_texts(self) -> Iterator[str]:
        for field in self.cited_fields:
            yield getattr(self, field)
        yield self.details_html


class Evidence(EditorialMarkdownModel):
    """What studies found for one outcome of the pair."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="evidence_items")
    order = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=120, help_text="e.g. “Fracture outcomes”.")
    outcome_note = models.CharField(
        max_length=200, blank=True, help_text="e.g. “the endpoint that matters most”."
    )
    intervention = models.CharField(
        max_length=200, blank=True, help_text="e.g. “MK-4 (45 mg/day)”."
    )
    study_designs = models.CharField(
        max_length=300, blank=True, help_text="e.g. “several Japanese RCTs and meta-analyses”."
    )
    grade = models.CharField(max_length=1, choices=EvidenceGrade.choices)
    finding = models.TextField(help_text="Markdown; cite sources as [@key].")
    finding_html = models.TextField(blank=True, editable=False)

    markdown_fields = ("finding",)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=EvidenceGrade.values), name="evidence_grade_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.intervention}" if self.intervention else self.outcome

    def clean(self) -> None:
        validate_citation_markers(self.finding, field="finding")


class WarningQuerySet(models.QuerySet):
    def for_pair(self, pair: Pair) -> "WarningQuerySet":
        """The pair's own warnings and the remedy-wide ones, in editorial order."""
        return self.filter(Q(pair=pair) | Q(remedy_id=pair.remedy_id, pair__isnull=True))

    def remedy_wide(self) -> "WarningQuerySet":
        return self.filter(pair__isnull=True)


class Warning(EditorialMarkdownModel):
    class Kind(models.TextChoices):
        DRUG_INTERACTION = "interaction", "Drug interaction"
        SAFETY = "safety", "Safety"
        NOT_A_SUBSTITUTE = "not-a-substitute", "Not a substitute"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MAJOR = "major", "Major"
        MODERATE = "moderate", "Moderate"
        MINOR = "minor", "Minor"

    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="warnings")
    pair = models.ForeignKey(
        Pair,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
        help_text="Leave empty for a warning that applies to every use of the remedy.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; cite sources as [@key].")
    body_html = models.TextField(blank=True, editable=False)

    markdown_fields = ("body",)
    objects = WarningQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["major", "moderate", "minor"]),
                name="warning_severity_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.pair_id and self.remedy_id and self.pair.remedy_id != self.remedy_id:
            raise ValidationError({"pair": "This pair belongs to another remedy."})
        validate_citation_markers(self.body, field="body")

    @property
    def is_remedy_wide(self) -> bool:
        return self.pair_id is None


class PairVoteQuerySet(models.QuerySet):
    def monthly_tally(self, pair: Pair) -> list[tuple[date, int, int]]:
        """(month, up, down) of the pair's current votes by the month they were cast."""
        rows = (
            self.filter(target=pair)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(
                up=models.Count("id", filter=Q(value=1)),
                down=models.Count("id", filter=Q(value=-1)),
            )
            .order_by("month")
        )
        return [(row["month"], row["up"], row["down"]) for row in rows]


class PairVote(AbstractVote):
    """A member's answer to "does it help for this condition?"."""

    target = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="votes")

    objects = PairVoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="one_vote_per_member_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()} on {self.target_id}"


class ExperienceReport(models.Model):
    """One member's account of taking the remedy for the condition (one per pair)."""

    class Outcome(models.TextChoices):
        HELPED_A_LOT = "helped-a-lot", "Helped a lot"
        HELPED_A_LITTLE = "helped-a-little", "Helped a little"
        NO_CHANGE = "no-change", "No change"
        MADE_IT_WORSE = "made-it-worse", "Made it worse"

    class SideEffects(models.TextChoices):
        NONE = "none", "None"
        MILD = "mild", "Mild"
        STOPPED = "stopped", "Stopped because of them"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="experience_reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience_reports"
    )
    regimen = models.ForeignKey(
        DosingRegimen,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experience_reports",
        help_text="Empty: another form or dose, described below.",
    )
    other_form = models.CharField(max_length=120, blank=True)
    other_dose = models.CharField(max_length=120, blank=True)
    weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    side_effects = models.CharField(max_length=8, choices=SideEffects.choices)
    clinician_involved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pair"], name="one_report_per_member_per_pair"),
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=520), name="report_weeks_in_range"
            ),
        ]
        indexes = [models.Index(fields=["pair", "regimen"], name="report_breakdown")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.pair_id})"

    @property
    def taken(self) -> str:
        if self.regimen_id:
            return str(self.regimen)
        return " ".join(filter(None, [self.other_form, self.other_dose])) or "Other"


class Product(models.Model):
    """A product editors recommend for the remedy."""

    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="products")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=120, blank=True)
    form = models.CharField(max_length=120, blank=True, help_text="e.g. “MK-7, 180 µg softgel”.")
    description = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.brand} {self.name}".strip()
