import uuid

from django import forms

from discussion.models import FlagReason
from discussion.services import MAX_COMMENT_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: **bold**, *italic*, lists, > quotes, `code`, [links](https://…).",
        error_messages={
            "required": "Write something before posting.",
            "max_length": "A comment can be at most %(limit_value)s characters "
            "(this one has %(show_value)s).",
        },
    )
    parent = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "invalid": "That is not a comment you can reply to.",
            "min_value": "That is not a comment you can reply to.",
        },
    )
    # One token per rendered form: a second post of the same form is a double click.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)


class EditCommentForm(forms.Form):
    body = CommentForm.base_fields["body"]


class VoteForm(forms.Form):
    value = forms.ChoiceField(
        choices=[("up", "Upvote"), ("down", "Downvote")],
        error_messages={
            "invalid_choice": "A vote is either up or down.",
            "required": "A vote is either up or down.",
        },
    )

    @property
    def vote_value(self) -> int:
        return 1 if self.cleaned_data["value"] == "up" else -1


def new_comment_form(draft: dict | None = None, *, parent_id: int | None = None) -> CommentForm:
    """An empty comment box (or one holding a saved draft) with a fresh submission token."""
    initial = {"submission": uuid.uuid4(), "parent": parent_id}
    if draft:
        initial.update(body=draft["body"], parent=draft["parent"])
    return CommentForm(initial=initial)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why should moderators look at this comment?",
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Pick a reason from the list.",
            "invalid_choice": "Pick a reason from the list.",
        },
    )
    details = forms.CharField(
        label="Details (needed for “Other”)",
        required=False,
        max_length=500,
        widget=forms.TextInput,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == FlagReason.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", "Say briefly what is wrong with this comment.")
        return cleaned
