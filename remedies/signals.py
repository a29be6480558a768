"""Editorial changes (any save or delete of curated content, in admin or elsewhere) give
every cached page a new key: they are rare, and they can show up on many pages."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.pagecache import GLOBAL, bump

EDITORIAL_APPS = {"remedies", "conditions"}
NOT_EDITORIAL = {"pairvote", "experiencereport"}


@receiver(post_save)
@receiver(post_delete)
def editorial_content_changed(sender, **kwargs) -> None:
    meta = sender._meta
    if meta.app_label not in EDITORIAL_APPS or meta.model_name in NOT_EDITORIAL:
        return
    if meta.model_name.startswith("historical"):  # revision records, not content
        return
    transaction.on_commit(lambda: bump(GLOBAL))
