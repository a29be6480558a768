"""Reading a discussion: one page of top-level comments with their whole subtrees.

Queries per discussion: the thread, a page of top-level comments, and their replies —
whatever the number of comments, votes or authors. Trees are linked in Python.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from discussion.forms import CommentForm, new_comment_form
from discussion.models import COMMENT_ORDERINGS, Comment, CommentSort, Thread

PAGE_SIZE = 20
# Replies deeper than this are shown flat at this level (with "in reply to …"), which
# keeps template recursion bounded however deep a conversation goes.
MAX_DISPLAY_DEPTH = 6


@dataclass
class CommentNode:
    comment: Comment
    children: list["CommentNode"] = field(default_factory=list)
    replying_to: Comment | None = None  # set when shown flattened below the cap

    @property
    def has_visible_content(self) -> bool:
        """Deleted comments stay only to hold their replies; hidden ones keep their place."""
        return not self.comment.is_deleted or bool(self.children)


@dataclass
class Discussion:
    """One page of a target's discussion (its URLs are worked out once: every comment's
    controls use them)."""

    target: models.Model
    thread: Thread | None
    sort: str
    page: int
    nodes: list[CommentNode]
    has_more: bool
    form: CommentForm | None = None  # the box for a new comment, with any saved draft
    # False: not read here, only linked to (for readers without JavaScript) and loaded by
    # htmx; the page that shows it in full is `return_url`.
    loaded: bool = True

    @property
    def target_label(self) -> str:
        return self.target._meta.label_lower

    @property
    def key(self) -> str:
        """A DOM-safe identifier of this discussion on a page."""
        return f"{self.target._meta.model_name}-{self.target.pk}"

    @cached_property
    def url(self) -> str:
        return reverse("discussion_thread", args=[self.target_label, self.target.pk])

    @cached_property
    def post_url(self) -> str:
        return reverse("comment_create", args=[self.target_label, self.target.pk])

    @cached_property
    def page_url(self) -> str:
        """The page that shows this discussion."""
        return self.target.get_absolute_url()

    @property
    def return_url(self) -> str:
        return f"{self.page_url}#discussion-{self.key}"

    @property
    def comment_count(self) -> int:
        return self.thread.comment_count if self.thread else 0

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def sorts(self) -> list[tuple[str, str]]:
        return CommentSort.choices

    @property
    def is_locked(self) -> bool:
        return bool(self.thread and self.thread.is_locked)


def _sort_key(sort: str):
    if sort == CommentSort.BEST:
        return lambda c: (-c.score, -c.upvotes, c.created_at, c.pk)
    if sort == CommentSort.NEW:
        return lambda c: (-c.created_at.timestamp(), -c.pk)
    return lambda c: (c.created_at, c.pk)


def build_tree(roots: list[Comment], replies: list[Comment], sort: str) -> list[CommentNode]:
    """Link replies under their roots, siblings in `sort` order, depth capped for display."""
    nodes = {c.pk: CommentNode(c) for c in [*roots, *replies]}
    key = _sort_key(sort)
    for reply in sorted(replies, key=key):
        parent = nodes.get(reply.parent_id)
        if parent is None:
            continue
        node = nodes[reply.pk]
        parent.children.append(node)
    # Hide deleted comments that have nothing left below them.
    for reply in sorted(replies, key=lambda c: -c.depth):
        node = nodes[reply.pk]
        node.children = [child for child in node.children if child.has_visible_content]
    result = []
    for root in roots:
        node = nodes[root.pk]
        node.children = [child for child in node.children if child.has_visible_content]
        if node.has_visible_content:
            _flatten_below_cap(node, depth=0)
            result.append(node)
    return result


def _flatten_below_cap(node: CommentNode, depth: int) -> None:
    if depth < MAX_DISPLAY_DEPTH - 1:
        for child in node.children:
            _flatten_below_cap(child, depth + 1)
        return
    # At the cap: everything below becomes one flat, chronological list.
    flat: list[CommentNode] = []
    stack = [(child, node.comment) for child in reversed(node.children)]
    while stack:
        child, parent_comment = stack.pop()
        flat.append(child)
        grandchildren = child.children
        child.children = []
        if parent_comment is not node.comment:
            child.replying_to = parent_comment
        stack.extend((grand, child.comment) for grand in reversed(grandchildren))
    node.children = sorted(flat, key=lambda n: (n.comment.created_at, n.comment.pk))


class TargetThreads:
    """The threads of several targets (some may have none yet)."""

    def __init__(self, threads: list[Thread]):
        self.threads = threads
        self._by_target = {(t.content_type_id, t.object_id): t for t in self.threads}

    @classmethod
    def fetch(cls, targets: list[models.Model]) -> "TargetThreads":
        """In one query."""
        return cls(list(Thread.objects.for_targets(targets)))

    def get(self, target: models.Model) -> Thread | None:
        content_type = ContentType.objects.get_for_model(target)
        return self._by_target.get((content_type.pk, target.pk))

    @property
    def comment_count(self) -> int:
        return sum(thread.comment_count for thread in self.threads)


def discussion_linked(*, target: models.Model, thread: Thread | None) -> Discussion:
    """A discussion a page lazy-loads without reading it: a link for readers without
    JavaScript, and no queries."""
    return Discussion(target, thread, CommentSort.BEST, 1, nodes=[], has_more=False, loaded=False)


def discussion_load(
    *,
    target: models.Model,
    thread: Thread | None,
    viewer,
    sort: str = CommentSort.BEST,
    page: int = 1,
    draft: dict | None = None,
) -> Discussion:
    """One page of the target's discussion; `thread` is the target's thread, if any."""
    if sort not in COMMENT_ORDERINGS:
        sort = CommentSort.BEST
    page = max(page, 1)
    form = new_comment_form(draft)
    if thread is None or thread.comment_count == 0:
        return Discussion(target, thread, sort, page, nodes=[], has_more=False, form=form)
    comments = Comment.objects.for_thread(thread).with_authors().with_viewer_votes(viewer)
    start = (page - 1) * PAGE_SIZE
    roots = list(comments.top_level().sorted_by(sort)[start : start + PAGE_SIZE + 1])
    has_more = len(roots) > PAGE_SIZE
    roots = roots[:PAGE_SIZE]
    replies = list(comments.in_trees([c.pk for c in roots])) if roots else []
    nodes = build_tree(roots, replies, sort)
    return Discussion(target, thread, sort, page, nodes, has_more, form=form)
