"""Writes on curated content that happen outside the admin."""

from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from conditions.models import Condition
from config.markup import EditorialMarkdownModel
from discussion.services import DiscussionError, ensure_may_write, pages_changed
from remedies.models import Citation, DosingRegimen, Evidence, ExperienceReport, Pair, Remedy

SEED_FIXTURE = "seed"
SEED_REMEDY_SLUG = "vitamin-k2"


def markdown_rerender_all() -> int:
    """Re-render every stored editorial Markdown field; returns the number of rows."""
    count = 0
    for model in apps.get_models():
        if not issubclass(model, EditorialMarkdownModel):
            continue
        fields = [f"{name}_html" for name in model.markdown_fields]
        for instance in model.objects.iterator():
            instance.render_markdown_fields()
            model.objects.filter(pk=instance.pk).update(
                **{field: getattr(instance, field) for field in fields}
            )
            count += 1
    return count


@transaction.atomic
def seed_load(*, force: bool = False) -> bool:
    """Load the first curated entry (Vitamin K2 for Osteoporosis) unless it is there.

    Returns whether it loaded. Fixtures bypass `save()`; saving each loaded object once
    renders its Markdown and starts its revision history.
    """
    if not force and Remedy.objects.filter(slug=SEED_REMEDY_SLUG).exists():
        return False
    call_command("loaddata", SEED_FIXTURE, verbosity=0)
    remedy = Remedy.objects.get(slug=SEED_REMEDY_SLUG)
    loaded = [
        *Citation.objects.all(),
        *Condition.objects.filter(pairs__remedy=remedy),
        remedy,
        *remedy.pairs.all(),
        *DosingRegimen.objects.filter(pair__remedy=remedy),
        *Evidence.objects.filter(pair__remedy=remedy),
        *remedy.warnings.all(),
        *remedy.products.all(),
    ]
    for instance in loaded:
        instance._change_reason = "Seed entry loaded"
        instance.save()
    return True


def experience_report_save(*, user, pair: Pair, data: dict) -> ExperienceReport:
    """Create or replace the member's report on the pair (one each, editable)."""
    ensure_may_write(user)
    regimen = data.get("regimen")
    if regimen is not None and regimen.pair_id != pair.pk:
        raise DiscussionError("Pick one of this page's regimens, or “Other”.")
    report, _ = ExperienceReport.objects.update_or_create(
        user=user,
        pair=pair,
        defaults={
            "regimen": regimen,
            "other_form": "" if regimen else data.get("other_form", ""),
            "other_dose": "" if regimen else data.get("other_dose", ""),
            "weeks": data["weeks"],
            "outcome": data["outcome"],
            "side_effects": data["side_effects"],
            "clinician_involved": data.get("clinician_involved", False),
        },
    )
    pages_changed(pair.page_versions())
    return report
