"""Markdown to safe HTML, in one place.

Everything a person writes (comments, editorial text) goes through here once, when it is
saved; pages only print the stored result. Raw HTML in the source is shown as text, and
nh3 (the ammonia sanitizer) removes whatever the allowlists below do not name. When the
allowlists change, `manage.py rerender_markdown` refreshes the stored HTML.
"""

from typing import ClassVar

import markdown
import nh3
from django.db import models
from markdown.extensions import Extension

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
)
EDITORIAL_TAGS = COMMENT_TAGS | {
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
COMMENT_LINK_REL = "nofollow ugc noopener"
EDITORIAL_LINK_REL = "noopener"


class _EscapeRawHtml(Extension):
    """Treat HTML typed into Markdown as text, so it is shown, never interpreted."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def _to_html(text: str) -> str:
    return markdown.markdown(
        text,
        extensions=[_EscapeRawHtml(), "fenced_code", "tables", "sane_lists"],
        output_format="html",
    )


def _sanitize(html: str, *, tags: frozenset[str], link_rel: str) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        url_relative="deny",
        link_rel=link_rel,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render a member's Markdown (a comment) to sanitized HTML."""
    return _sanitize(_to_html(text), tags=COMMENT_TAGS, link_rel=COMMENT_LINK_REL)


def render_editorial_markdown(text: str) -> str:
    """Render an editor's Markdown: as for comments, plus headings and tables."""
    return _sanitize(_to_html(text), tags=EDITORIAL_TAGS, link_rel=EDITORIAL_LINK_REL)


class EditorialMarkdownModel(models.Model):
    """A model whose Markdown fields each keep a rendered `<field>_html` twin.

    The twin is written on save, so no request ever renders Markdown.
    """

    markdown_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_markdown_fields()
        super().save(*args, **kwargs)

    def render_markdown_fields(self) -> None:
        for field in self.markdown_fields:
            setattr(self, f"{field}_html", render_editorial_markdown(getattr(self, field)))
