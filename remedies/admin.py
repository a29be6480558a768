import csv

from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from config.admin_markdown import MarkdownFieldsMixin
from remedies.models import (
    Citation,
    DosingRegimen,
    Evidence,
    ExperienceReport,
    Pair,
    Product,
    Remedy,
    Warning,
)

CITE_HELP = "Cite a source by writing [@key] after the text it supports (keys: Citations)."


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


class RemedyWideWarningInline(MarkdownFieldsMixin, admin.StackedInline):
    model = Warning
    fk_name = "remedy"
    extra = 0
    fields = ("order", "kind", "severity", "title", "body")
    verbose_name = "remedy-wide warning"
    verbose_name_plural = "remedy-wide warnings (apply to every condition)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pair__isnull=True)


class PairInline(admin.TabularInline):
    model = Pair
    extra = 0
    fields = ("condition", "status", "effectiveness", "summary")
    show_change_link = True


@admin.register(Remedy)
class RemedyAdmin(MarkdownFieldsMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "summary", "what_it_is")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PairInline, RemedyWideWarningInline, ProductInline]
    fieldsets = [
        (None, {"fields": ("name", "slug", "status", "summary")}),
        (
            "General information (all conditions)",
            {
                "fields": ("what_it_is", "how_it_works", "why_important", "considerations"),
                "description": CITE_HELP,
            },
        ),
    ]


class DosingRegimenInline(MarkdownFieldsMixin, admin.StackedInline):
    model = DosingRegimen
    extra = 0
    fields = (
        ("order", "form", "approach"),
        ("dose", "frequency"),
        ("duration", "with_food"),
        "pair_with",
        "details",
    )


class EvidenceInline(MarkdownFieldsMixin, admin.StackedInline):
    model = Evidence
    extra = 0
    fields = (
        ("order", "outcome", "outcome_note"),
        ("intervention", "study_designs", "grade"),
        "finding",
    )


class PairWarningInline(MarkdownFieldsMixin, admin.StackedInline):
    model = Warning
    fk_name = "pair"
    extra = 0
    fields = ("order", "kind", "severity", "title", "body")
    verbose_name = "warning for this condition"
    verbose_name_plural = "warnings for this condition"


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Not reviewed for a year (or never)")]

    def queryset(self, request, queryset):
        return queryset.needing_review() if self.value() == "due" else queryset


@admin.register(Pair)
class PairAdmin(MarkdownFieldsMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "status", "effectiveness", "last_reviewed", "updated_at")
    list_filter = ("status", NeedsReviewFilter, "effectiveness", "remedy", "condition")
    list_select_related = ("remedy", "condition")
    search_fields = ("remedy__name", "condition__name", "summary", "mechanism")
    autocomplete_fields = ("remedy", "condition")
    fieldsets = [
        (
            None,
            {
                "fields": (
                    "remedy",
                    "condition",
                    "status",
                    "last_reviewed",
                    "effectiveness",
                    "summary",
                )
            },
        ),
        ("Why it works", {"fields": ("mechanism",), "description": CITE_HELP}),
    ]
    inlines = [DosingRegimenInline, EvidenceInline, PairWarningInline]

    def save_formset(self, request, form, formset, change):
        # A pair's own warnings belong to the pair's remedy too.
        if formset.model is Warning:
            for warning in formset.save(commit=False):
                warning.remedy_id = form.instance.remedy_id
                warning.save()
            for warning in formset.deleted_objects:
                warning.delete()
        else:
            super().save_formset(request, form, formset, change)


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ("key", "source_name", "title", "year")
    search_fields = ("key", "source_name", "title", "doi", "pmid")
    prepopulated_fields = {"key": ("source_name",)}


@admin.register(Warning)
class WarningAdmin(MarkdownFieldsMixin, SimpleHistoryAdmin):
    list_display = ("title", "remedy", "pair", "kind", "severity")
    list_filter = ("kind", "severity", "remedy")
    list_select_related = ("remedy", "pair__remedy", "pair__condition")
    search_fields = ("title", "body", "remedy__name")
    autocomplete_fields = ("remedy", "pair")


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("name", "brand", "remedy")
    list_filter = ("remedy",)
    search_fields = ("name", "brand", "remedy__name")
    autocomplete_fields = ("remedy",)


@admin.action(description="Export selected reports as CSV")
def export_reports_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="experience-reports.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["remedy", "condition", "taken", "weeks", "outcome", "side effects", "clinician", "date"]
    )
    # Members are not named: editors study what was taken and what happened, not who.
    for report in queryset.select_related("pair__remedy", "pair__condition", "regimen"):
        writer.writerow(
            [
                report.pair.remedy.name,
                report.pair.condition.name,
                report.taken,
                report.weeks,
                report.get_outcome_display(),
                report.get_side_effects_display(),
                "yes" if report.clinician_involved else "no",
                report.updated_at.date().isoformat(),
            ]
        )
    return response


@admin.register(ExperienceReport)
class ExperienceReportAdmin(admin.ModelAdmin):
    list_display = ("pair", "taken", "weeks", "outcome", "side_effects", "clinician_involved")
    list_filter = (
        "outcome",
        "side_effects",
        "clinician_involved",
        "pair__remedy",
        "pair__condition",
    )
    list_select_related = ("pair__remedy", "pair__condition", "regimen")
    actions = [export_reports_csv]
    readonly_fields = [f.name for f in ExperienceReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        """Above the list: the breakdown of the reports the filters select."""
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            queryset = response.context_data["cl"].queryset
            response.context_data["breakdown"] = (
                queryset.values("pair__remedy__name", "pair__condition__name", "outcome")
                .annotate(reports=Count("id"))
                .order_by("pair__remedy__name", "pair__condition__name", "outcome")
            )
        return response
