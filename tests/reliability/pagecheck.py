"""What a page showing members' text may contain, checked as a parser reads it.

On top of tests/htmlcheck.py's `assert_no_active_content` (run on the whole page): no
element anywhere carries an event handler, a style, or an htmx / data- attribute that
the site's own templates do not write, and none of the site's own such attributes holds
script; inside the containers of rendered Markdown (`.comment-text`, `.prose`) only the
sanitizer's tags and attributes appear, with http(s)/mailto links.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from config.markup import ALLOWED_URL_SCHEMES, COMMENT_TAGS, EDITORIAL_TAGS
from tests.htmlcheck import assert_no_active_content

# Every such attribute the templates write (grep -o 'data-[a-z-]*=' templates).
SITE_ATTRIBUTES = frozenset(
    {
        "data-hx-confirm",
        "data-hx-disabled-elt",
        "data-hx-get",
        "data-hx-headers",
        "data-hx-post",
        "data-hx-swap",
        "data-hx-swap-oob",
        "data-hx-target",
        "data-hx-trigger",
        "data-citations-url",
        "data-preview-url",
    }
)
SCRIPT_IN_VALUE = re.compile(r"alert\s*\(|__xss|javascript:|vbscript:|data:text/html", re.I)
# Rendered Markdown. In a comment: the sanitizer's comment tags and link attributes. In
# `.prose` (editorial text, and comments on profile and flag pages): the editorial tags,
# plus the citation markers that pages add to editorial text (remedies/citations.py).
COMMENT_RULES = (COMMENT_TAGS, {"a": {"href", "title", "rel"}})
PROSE_RULES = (
    EDITORIAL_TAGS | {"sup"},
    {"a": {"href", "title", "rel", "id", "class", "aria-label"}, "sup": {"id", "class"}},
)
MARKDOWN_CONTAINERS = {"comment-text": COMMENT_RULES, "prose": PROSE_RULES}
# The site's own charts (remedies/charts.py through pair_detail.html): inline SVG with
# numbers only. They are checked here and left out of assert_no_active_content, which
# allows no <svg> at all.
CHART = re.compile(
    r'<svg viewBox="[^"]*" role="img" aria-labelledby="(?:outcomes|votes)-chart-title">'
    r".*?</svg>",
    re.S,
)
CHART_TAGS = {"svg", "title", "text", "rect", "line"}
CHART_ATTRIBUTES = {
    "viewbox", "role", "aria-labelledby", "id", "x", "y", "x1", "x2", "y1", "y2",
    "width", "height", "class", "text-anchor",
}  # fmt: skip
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _Elements(HTMLParser):
    """Each start tag with its attributes and the rules of the rendered Markdown it sits
    in (None outside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple | None]] = []  # (tag, rules it opens)
        self.elements: list[tuple[str, dict, tuple | None]] = []

    @property
    def in_markdown(self) -> tuple | None:
        return next((rules for _, rules in reversed(self.stack) if rules), None)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes, self.in_markdown))
        if tag not in VOID:
            classes = attributes.get("class", "").split()
            rules = next(
                (MARKDOWN_CONTAINERS[c] for c in classes if c in MARKDOWN_CONTAINERS), None
            )
            self.stack.append((tag, rules))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {n: v or "" for n, v in attrs}, self.in_markdown))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return


def _elements(html: str) -> list[tuple[str, dict, tuple | None]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


# An http(s) address whose path or query holds the text "javascript:" (a 404 page's
# canonical link to a hostile address, say) is inert, but htmlcheck looks for the text
# anywhere in a link. Percent-encoding that colon leaves the same address.
HTTP_URL_ATTRIBUTE = re.compile(r'((?:href|src|action|formaction)="https?://[^"]*)"', re.I)


def _inert_http_urls(html: str) -> str:
    return HTTP_URL_ATTRIBUTE.sub(
        lambda m: re.sub("javascript:", "javascript%3A", m.group(1), flags=re.I) + '"', html
    )


def page_problems(html: str) -> list[str]:
    """Everything wrong with `html` (empty when it is clean)."""
    problems = []
    charts = CHART.findall(html)
    for chart in charts:
        for tag, attributes, _ in _elements(chart):
            if tag not in CHART_TAGS or set(attributes) - CHART_ATTRIBUTES:
                problems.append(f"chart element {tag} {attributes}")
    html_without_charts = CHART.sub("", html)
    try:
        assert_no_active_content(_inert_http_urls(html_without_charts))
    except AssertionError as error:
        problems.append(f"active content: {error}")
    for tag, attributes, in_markdown in _elements(html_without_charts):
        for name, value in attributes.items():
            special = name.startswith(("on", "hx-", "data-")) or name == "style"
            if special and (in_markdown or name not in SITE_ATTRIBUTES):
                problems.append(f"attribute {name}={value!r} on <{tag}>")
            elif special and SCRIPT_IN_VALUE.search(value):
                problems.append(f"script in {name}={value!r} on <{tag}>")
        if not in_markdown:
            continue
        tags, tag_attributes = in_markdown
        if tag not in tags:
            problems.append(f"<{tag}> in rendered Markdown")
        extra = set(attributes) - tag_attributes.get(tag, set())
        if extra:
            problems.append(f"<{tag}> in rendered Markdown with {sorted(extra)}")
        href = attributes.get("href")
        if href is not None and not href.startswith("#"):
            scheme = urlsplit(href).scheme.lower()
            if scheme not in ALLOWED_URL_SCHEMES:
                problems.append(f"link {href!r} in rendered Markdown")
    return problems
