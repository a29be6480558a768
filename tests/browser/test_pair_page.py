import pytest

pytestmark = pytest.mark.browser


def test_pair_page_renders_in_chromium(page, seed, screenshot, transactional_db):
    page.goto("/remedies/vitamin-k2/osteoporosis/")

    assert page.get_by_role("heading", level=1).inner_text() == "Vitamin K2"
    assert page.get_by_text("Specifically for Osteoporosis").is_visible()
    warning = page.locator(".warning", has_text="vitamin K antagonists")
    assert warning.is_visible()
    path = screenshot(page, "pair-page")
    assert path.stat().st_size > 10_000
