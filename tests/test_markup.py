from config.markup import render_editorial_markdown, render_markdown


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
