"""What an anonymous visitor typed before being sent to log in, kept in their session so
the comment box has it again when they come back."""

from django.contrib.sessions.backends.base import SessionBase
from django.db import models

SESSION_KEY = "discussion_draft"


def _target_key(target: models.Model) -> str:
    return f"{target._meta.label_lower}:{target.pk}"


def draft_save(
    session: SessionBase, *, target: models.Model, body: str, parent_id: int | None
) -> None:
    session[SESSION_KEY] = {"target": _target_key(target), "body": body, "parent": parent_id}


def draft_for(session: SessionBase, target: models.Model) -> dict | None:
    draft = session.get(SESSION_KEY)
    if draft and draft.get("target") == _target_key(target):
        return draft
    return None


def draft_clear(session: SessionBase, target: models.Model) -> None:
    if draft_for(session, target):
        del session[SESSION_KEY]
