from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from config.markup import EditorialMarkdownModel
from config.publishing import PublishableModel, PublishableQuerySet
from config.validators import validate_public_slug


class ConditionQuerySet(PublishableQuerySet):
    def with_remedy_counts(self) -> "ConditionQuerySet":
        """Count the published remedies for each condition."""
        published = models.Q(pairs__status="published", pairs__remedy__status="published")
        return self.annotate(remedy_count=models.Count("pairs", filter=published))


class Condition(EditorialMarkdownModel, PublishableModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, validators=[validate_public_slug])
    summary = models.CharField(
        max_length=300, blank=True, help_text="One plain sentence, shown in lists and previews."
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Full-text search (PostgreSQL), written by remedies.search_index on every save.
    search_vector = SearchVectorField(null=True, editable=False)

    markdown_fields = ("description",)
    objects = ConditionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("condition_detail", args=[self.slug])
