from django import template

from remedies.experiences import ExperienceSummary, RegimenBreakdown
from remedies.models import DosingRegimen

register = template.Library()


@register.filter
def breakdown_for(summary: ExperienceSummary, regimen: DosingRegimen) -> RegimenBreakdown | None:
    """`{{ experiences|breakdown_for:regimen }}`: members' reports on that regimen."""
    return summary.for_regimen(regimen)
