"""Voting and reporting an experience on the pair page, with htmx and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from remedies.models import ExperienceReport
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"


def fill_report(page) -> None:
    section = page.locator("#experiences")
    section.get_by_text("Add your experience report").click()
    section.get_by_label("MK-7 — nutritional dosing (supplements)").check()
    section.get_by_label("For how many weeks?").fill("30")
    section.get_by_label("Made it worse").check()
    section.get_by_label("Stopped because of them").check()
    section.get_by_role("button", name="Save my report").click()


def test_vote_then_report_in_place(page, seed, make_member, screenshot):
    make_member("reporter")
    log_in(page, "reporter", next_url=PAIR_URL)
    page.evaluate("window.__noReload = true")

    page.locator("#pair-votes").get_by_role("button", name="Downvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("0 up • 1 down")
    fill_report(page)

    section = page.locator("#experiences")
    expect(section.get_by_role("status")).to_contain_text("your experience report is saved")
    mk7_row = section.locator("tr", has_text="MK-7")
    expect(mk7_row.locator("td").nth(0)).to_have_text("1")
    mk7 = seed.regimens.get(form="MK-7")
    expect(page.locator(f"#regimen-reports-{mk7.pk}")).to_contain_text("made it worse 1")
    assert page.evaluate("window.__noReload === true")
    report = ExperienceReport.objects.get()
    assert (report.regimen_id, report.weeks, report.outcome, report.side_effects) == (
        mk7.pk,
        30,
        "made-it-worse",
        "stopped",
    )
    screenshot(page, "pair-experiences")


def test_report_without_javascript(no_js_page, seed, make_member):
    page = no_js_page
    make_member("nojs")
    log_in(page, "nojs", next_url=PAIR_URL)

    fill_report(page)

    expect(page).to_have_url(re.compile(re.escape(PAIR_URL)))
    expect(page.get_by_text("Thank you: your experience report is saved.")).to_be_visible()
    mk7 = seed.regimens.get(form="MK-7")
    expect(page.locator(f"#regimen-reports-{mk7.pk}")).to_contain_text("made it worse 1")
    assert ExperienceReport.objects.get().outcome == "made-it-worse"
