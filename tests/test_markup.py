from config.markup import render_editorial_markdown, render_markdown
from tests.pages import READER_PAGES


def test_render_markdown_keeps_basic_formatting():
    html = render_markdown("**bold** and *em*\n\n- one\n- two\n\n> quote\n\n`code`")

    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html
    assert "<code>code</code>" in html


def test_render_markdown_shows_raw_html_as_text():
    html = render_markdown("<script>alert(1)</script><img src=x onerror=alert(1)>")

    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_render_markdown_links_get_rel_and_only_safe_schemes():
    html = render_markdown(
        "[ok](https://example.org) [mail](mailto:a@b.c) [bad](javascript:alert(1)) [rel](/admin/)"
    )

    assert '<a href="https://example.org" rel="nofollow ugc noopener">ok</a>' in html
    assert 'href="mailto:a@b.c"' in html
    assert "javascript:" not in html
    assert 'href="/admin/"' not in html


def test_comment_markdown_drops_headings_and_tables_but_editorial_keeps_them():
    source = "## Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |"

    assert "<h2>" not in render_markdown(source)
    editorial = render_editorial_markdown(source)
    assert "<h2>Heading</h2>" in editorial
    assert "<table>" in editorial


def test_no_page_renders_or_sanitizes_markdown(
    client, seed, make_member, make_comment, monkeypatch
):
    """Markdown is rendered and sanitized when text is saved, never when a page is read:
    the libraries doing it must not be called by any GET."""
    import markdown
    import nh3

    member = make_member("reader")
    comment = make_comment(seed, body="Some *Markdown* with a [link](https://example.org)")
    make_comment(seed.remedy, body="On the remedy")
    calls = []
    real_markdown, real_clean = markdown.markdown, nh3.clean
    monkeypatch.setattr(
        markdown, "markdown", lambda *a, **k: calls.append("markdown") or real_markdown(*a, **k)
    )
    monkeypatch.setattr(nh3, "clean", lambda *a, **k: calls.append("nh3") or real_clean(*a, **k))
    pages = [
        *READER_PAGES,
        "/search/?q=vitamin",
        f"/discussions/remedies.pair/{seed.pk}/",
        f"/discussions/remedies.pair/{seed.pk}/feed/",
        f"/members/{comment.author.username}/",
    ]

    for signed_in in (False, True):
        if signed_in:
            client.force_login(member)
        for url in pages:
            assert client.get(url).status_code == 200, url
        one_comment = client.get(comment.get_absolute_url(), headers={"HX-Request": "true"})
        assert "<em>Markdown</em>" in one_comment.content.decode()

    assert calls == []
    make_comment(seed, body="Saving is where rendering happens")  # the spies do see it
    assert calls == ["markdown", "nh3"]
