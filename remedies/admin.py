from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin_markdown import MarkdownFieldsMixin
from remedies.models import Citation, DosingRegimen, Evidence, Pair, Product, Remedy, Warning

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
