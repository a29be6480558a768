from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from discussion.models import HIDDEN_STATES, Comment, Thread

FEED_SIZE = 50


class DiscussionFeed(Feed):
    """Atom feed of the newest comments in one discussion (what readers may see)."""

    feed_type = Atom1Feed

    def get_object(self, request, target_label: str, target_id: int):
        from discussion.views import discussion_target

        return discussion_target(target_label, target_id, AnonymousUser())

    def title(self, target) -> str:
        return f"Discussion: {target} · Remedy Commons"

    def link(self, target) -> str:
        return target.get_absolute_url()

    def subtitle(self, target) -> str:
        return f"New comments on {target}"

    def items(self, target):
        thread = Thread.objects.for_target(target).first()
        if thread is None:
            return []
        comments = list(
            Comment.objects.for_thread(thread)
            .filter(is_deleted=False)
            .exclude(moderation__in=HIDDEN_STATES)
            .select_related("author")
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )
        page = target.get_absolute_url()
        for comment in comments:
            comment.feed_link = f"{page}#{comment.anchor}"
        return comments

    def item_title(self, comment: Comment) -> str:
        return f"{comment.author.username} wrote"

    def item_description(self, comment: Comment) -> str:
        # body_html was rendered and sanitized by config.markup when the comment was saved
        return comment.body_html

    def item_link(self, comment: Comment) -> str:
        return comment.feed_link

    def item_author_name(self, comment: Comment) -> str:
        return comment.author.username

    def item_pubdate(self, comment: Comment):
        return comment.created_at

    def item_updateddate(self, comment: Comment):
        return comment.edited_at or comment.created_at
