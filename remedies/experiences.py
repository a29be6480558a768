"""Experience reports: what members took for a condition and what happened.

Aggregation is exact and done in the database (one query per pair); the display rules
guard against the usual biases of crowd verdicts: below MIN_REPORTS_FOR_PERCENTAGES a
breakdown shows raw counts only, never percentages or rankings.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from discussion.models import wilson_lower_bound
from remedies.models import (
    DosingRegimen,
    Effectiveness,
    ExperienceReport,
    Pair,
)

OUTCOMES = ExperienceReport.Outcome
SIDE_EFFECTS = ExperienceReport.SideEffects
# Community verdict counts as "strong" when the Wilson lower bound of the votes (or of
# the reports that say it helped) reaches this share.
STRONG_VERDICT = 0.6
WEAK_GRADES = {"D", "F"}
STRONG_GRADES = {"A", "B"}


@dataclass
class RegimenBreakdown:
    label: str
    regimen: DosingRegimen | None  # None: "other" forms and doses
    total: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    side_effects: dict[str, int] = field(default_factory=dict)
    with_clinician: int = 0

    @property
    def enough(self) -> bool:
        return self.total >= settings.MIN_REPORTS_FOR_PERCENTAGES

    @property
    def outcome_rows(self) -> list[tuple[str, str, int, int | None]]:
        """(value, label, count, percent or None when the sample is too small)."""
        return [
            (value, label, self.outcomes.get(value, 0), self._percent(self.outcomes.get(value, 0)))
            for value, label in OUTCOMES.choices
        ]

    @property
    def side_effect_rows(self) -> list[tuple[str, str, int, int | None]]:
        return [
            (
                value,
                label,
                self.side_effects.get(value, 0),
                self._percent(self.side_effects.get(value, 0)),
            )
            for value, label in SIDE_EFFECTS.choices
        ]

    def _percent(self, count: int) -> int | None:
        return round(100 * count / self.total) if self.enough and self.total else None


@dataclass
class ExperienceSummary:
    breakdowns: list[RegimenBreakdown]
    total: int

    @property
    def min_reports(self) -> int:
        return settings.MIN_REPORTS_FOR_PERCENTAGES

    def for_regimen(self, regimen: DosingRegimen) -> RegimenBreakdown | None:
        return next((b for b in self.breakdowns if b.regimen == regimen), None)

    @property
    def helped(self) -> int:
        return sum(
            b.outcomes.get(OUTCOMES.HELPED_A_LOT, 0) + b.outcomes.get(OUTCOMES.HELPED_A_LITTLE, 0)
            for b in self.breakdowns
        )

    @property
    def not_helped(self) -> int:
        return self.total - self.helped


def experience_summary(pair: Pair) -> ExperienceSummary:
    """Counts of outcomes and side effects per regimen of the pair, in one query."""
    counts = {f"outcome_{value}": Count("id", filter=Q(outcome=value)) for value in OUTCOMES.values}
    counts |= {
        f"side_{value}": Count("id", filter=Q(side_effects=value)) for value in SIDE_EFFECTS.values
    }
    rows = (
        ExperienceReport.objects.filter(pair=pair)
        .values("regimen")
        .annotate(
            total=Count("id"), clinician=Count("id", filter=Q(clinician_involved=True)), **counts
        )
        .order_by()
    )
    by_regimen = {row["regimen"]: row for row in rows}
    breakdowns = []
    for regimen in pair.regimens.all():
        breakdowns.append(_breakdown(regimen.form, regimen, by_regimen.get(regimen.pk)))
    breakdowns.append(_breakdown("Other forms or doses", None, by_regimen.get(None)))
    return ExperienceSummary(breakdowns, total=sum(b.total for b in breakdowns))


def _breakdown(label: str, regimen, row: dict | None) -> RegimenBreakdown:
    if row is None:
        return RegimenBreakdown(label, regimen)
    return RegimenBreakdown(
        label,
        regimen,
        total=row["total"],
        outcomes={value: row[f"outcome_{value}"] for value in OUTCOMES.values},
        side_effects={value: row[f"side_{value}"] for value in SIDE_EFFECTS.values},
        with_clinician=row["clinician"],
    )


def community_disagrees(pair: Pair, summary: ExperienceSummary) -> str:
    """The "community and evidence disagree" marker; '' when they do not.

    Rule (also on the "How we grade evidence" page): members are strongly positive when
    the Wilson lower bound of up-votes, or of reports saying it helped, is at least 60%;
    strongly negative when the same holds for down-votes or reports of no help. The
    evidence is weak when its grade is D or F or the verdict is "Insufficient evidence"
    or lower; strong when its grade is A or B and the verdict "Likely effective" or better.
    """
    positive = max(
        wilson_lower_bound(pair.upvotes, pair.downvotes),
        wilson_lower_bound(summary.helped, summary.not_helped),
    )
    negative = max(
        wilson_lower_bound(pair.downvotes, pair.upvotes),
        wilson_lower_bound(summary.not_helped, summary.helped),
    )
    weak = pair.grade in WEAK_GRADES or pair.effectiveness <= Effectiveness.INSUFFICIENT_EVIDENCE
    strong = pair.grade in STRONG_GRADES and pair.effectiveness >= Effectiveness.LIKELY_EFFECTIVE
    if positive >= STRONG_VERDICT and weak:
        return "Members report it helps, but the evidence is weak."
    if negative >= STRONG_VERDICT and strong:
        return "The evidence is strong, but members report it does not help them."
    return ""
