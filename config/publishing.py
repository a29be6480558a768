"""Draft and published content: readers see published pages only; editors preview drafts."""

from django.db import models


class PublishStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def can_preview_drafts(user) -> bool:
    """Editors (and superusers) see drafts on the real pages, under a "Draft" banner."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("remedies.view_pair"))


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PublishStatus.PUBLISHED)

    def visible_to(self, user):
        return self if can_preview_drafts(user) else self.published()


class PublishableModel(models.Model):
    status = models.CharField(
        max_length=10,
        choices=PublishStatus.choices,
        default=PublishStatus.DRAFT,
        db_index=True,
        help_text="Readers see published pages only.",
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status != PublishStatus.PUBLISHED
