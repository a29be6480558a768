"""What several browser tests do the same way: sign in through the form, find the pair
page's own discussion."""

import re

from playwright.sync_api import expect

PASSWORD = "a-long-passphrase-1"  # tests/conftest.py's make_member


def log_in(page, username: str, next_url: str = "") -> None:
    """Sign in through the login form; with `next_url`, land there afterwards."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if next_url:
        expect(page).to_have_url(re.compile(re.escape(next_url)))
    else:
        expect(page.get_by_role("button", name="Log out")).to_be_visible()


def pair_discussion(page):
    return page.locator(
        "section", has=page.get_by_role("heading", name="Discussion for Osteoporosis")
    )
