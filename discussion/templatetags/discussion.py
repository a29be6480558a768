from django import template

from discussion.models import Comment

register = template.Library()


@register.filter
def editable_by(comment: Comment, user) -> bool:
    """`{% if comment|editable_by:user %}`: the author, within the edit window."""
    return comment.can_be_edited_by(user)
