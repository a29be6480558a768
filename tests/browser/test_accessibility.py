"""axe-core on every page type, signed out and signed in: no WCAG 2.2 A or AA violation.
Also the pair page's screenshots, narrow and wide, light and dark, for people to look at."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.pages import READER_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGES = [
    *READER_PAGES,
    "/search/?q=osteoporosis",
    "/how-we-grade-evidence/",
    "/accounts/login/",
    "/accounts/signup/",
]
PASSWORD = "a-long-passphrase-1"


def violations(page, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_accessibility_violations_signed_out(page, lively_seed, url):
    assert violations(page, url) == ""


def test_pages_have_no_accessibility_violations_signed_in(page, lively_seed):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    reports = {url: violations(page, url) for url in [*PAGES, "/members/alice/"]}

    assert {url: report for url, report in reports.items() if report} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dark_and_light_pages_have_no_contrast_violations(
    browser, live_server, lively_seed, scheme
):
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
    page = context.new_page()
    try:
        assert violations(page, "/remedies/vitamin-k2/osteoporosis/") == ""
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pair_page_screenshots(browser, live_server, lively_seed, screenshot, width, scheme):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto("/remedies/vitamin-k2/osteoporosis/")
        page.wait_for_selector("#thread-pair-1, .thread")
        path = screenshot(page, f"pair-page-{width}-{scheme}")
        assert path.stat().st_size > 20_000
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
