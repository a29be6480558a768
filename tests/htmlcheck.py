"""Parse pages as a browser would, to assert what is markup and what is only text."""

from html.parser import HTMLParser


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _TagCollector()
    parser.feed(html)
    return parser.tags


def assert_no_active_content(html: str) -> None:
    """No inline script (JSON-LD data blocks aside: browsers never run them), event
    handler, javascript: URL, image, frame or inline style."""
    for tag, attrs in start_tags(html):
        is_data_block = attrs.get("type") == "application/ld+json"
        assert not (tag == "script" and not attrs.get("src") and not is_data_block), attrs
        assert tag not in {"img", "iframe", "object", "embed", "svg"}, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert "javascript:" not in (attrs.get(name) or "").lower(), (tag, attrs)
