"""Editorial changes (any save or delete of curated content, in admin or elsewhere) give
every cached page a new key: they are rare, and they can show up on many pages."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.pagecache import GLOBAL, bump
from remedies import search_index

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


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def member_changed(sender, update_fields=None, created=False, **kwargs) -> None:
    """Usernames appear beside comments everywhere; a deleted member takes theirs along.
    (Logging in only touches last_login, and a new member has written nothing yet.)"""
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    transaction.on_commit(lambda: bump(GLOBAL))


# Search vectors follow the text they index (remedies.search_index; PostgreSQL only).


@receiver(post_save, sender="remedies.Remedy")
def remedy_saved(sender, instance, **kwargs) -> None:
    search_index.index_remedies([instance.pk])


@receiver(post_save, sender="conditions.Condition")
def condition_saved(sender, instance, **kwargs) -> None:
    search_index.index_conditions([instance.pk])


@receiver(post_save, sender="remedies.Pair")
def pair_saved(sender, instance, **kwargs) -> None:
    search_index.index_pairs([instance.pk])


@receiver(post_save, sender="remedies.Evidence")
@receiver(post_delete, sender="remedies.Evidence")
def evidence_changed(sender, instance, **kwargs) -> None:
    search_index.index_pairs([instance.pair_id])
