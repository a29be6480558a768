from django.contrib import admin

from remedies.models import Citation, DosingRegimen, Evidence, Pair, Product, Remedy, Warning

CITE_HELP = "Cite a source by writing [@key] after the text it supports (keys: Citations)."


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


class RemedyWideWarningInline(admin.StackedInline):
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
    fields = ("condition", "effectiveness", "summary")
    show_change_link = True


@admin.register(Remedy)
class RemedyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "updated_at")
    search_fields = ("name", "summary", "what_it_is")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PairInline, RemedyWideWarningInline, ProductInline]
    fieldsets = [
        (None, {"fields": ("name", "slug", "summary")}),
        (
            "General information (all conditions)",
            {
                "fields": ("what_it_is", "how_it_works", "why_important", "considerations"),
                "description": CITE_HELP,
            },
        ),
    ]


class DosingRegimenInline(admin.StackedInline):
    model = DosingRegimen
    extra = 0
    fields = (
        ("order", "form", "approach"),
        ("dose", "frequency"),
        ("duration", "with_food"),
        "pair_with",
        "details",
    )


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    fields = (
        ("order", "outcome", "outcome_note"),
        ("intervention", "study_designs", "grade"),
        "finding",
    )


class PairWarningInline(admin.StackedInline):
    model = Warning
    fk_name = "pair"
    extra = 0
    fields = ("order", "kind", "severity", "title", "body")
    verbose_name = "warning for this condition"
    verbose_name_plural = "warnings for this condition"


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("__str__", "effectiveness", "updated_at")
    list_filter = ("effectiveness", "remedy", "condition")
    list_select_related = ("remedy", "condition")
    search_fields = ("remedy__name", "condition__name", "summary", "mechanism")
    autocomplete_fields = ("remedy", "condition")
    fieldsets = [
        (None, {"fields": ("remedy", "condition", "effectiveness", "summary")}),
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
class CitationAdmin(admin.ModelAdmin):
    list_display = ("key", "source_name", "title", "year")
    search_fields = ("key", "source_name", "title", "doi", "pmid")
    prepopulated_fields = {"key": ("source_name",)}


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ("title", "remedy", "pair", "kind", "severity")
    list_filter = ("kind", "severity", "remedy")
    list_select_related = ("remedy", "pair__remedy", "pair__condition")
    search_fields = ("title", "body", "remedy__name")
    autocomplete_fields = ("remedy", "pair")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "remedy")
    list_filter = ("remedy",)
    search_fields = ("name", "brand", "remedy__name")
    autocomplete_fields = ("remedy",)
