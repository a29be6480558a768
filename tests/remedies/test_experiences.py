"""Experience reports: structured, one per member per pair, aggregated exactly, shown
with the bias safeguards."""

import csv
import io

import pytest
from django.contrib.auth.models import User

from accounts.models import Suspension
from discussion.services import vote_toggle
from remedies.experiences import community_disagrees, experience_summary
from remedies.models import Effectiveness, Evidence, ExperienceReport, PairVote

PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"
REPORT_URL = f"{PAIR_URL}experience/"
HTMX = {"hx-request": "true"}


def report(
    pair,
    user,
    *,
    regimen=None,
    outcome="helped-a-lot",
    side_effects="none",
    weeks=12,
    clinician=False,
    other_form="",
):
    return ExperienceReport.objects.create(
        pair=pair,
        user=user,
        regimen=regimen,
        outcome=outcome,
        side_effects=side_effects,
        weeks=weeks,
        clinician_involved=clinician,
        other_form=other_form,
    )


def form_data(regimen=None, **overrides) -> dict:
    data = {
        "taken": str(regimen.pk) if regimen else "other",
        "other_form": "" if regimen else "MK-7 gummy",
        "other_dose": "",
        "weeks": "26",
        "outcome": "helped-a-little",
        "side_effects": "mild",
    }
    data.update(overrides)
    return data


def test_summary_counts_each_regimen_exactly(seed, make_member):
    mk4, mk7, diet = seed.regimens.all()
    plan = [
        (mk4, "helped-a-lot", "none", True),
        (mk4, "helped-a-lot", "mild", False),
        (mk4, "made-it-worse", "stopped", False),
        (mk7, "no-change", "none", True),
        (None, "helped-a-little", "mild", False),
    ]
    for regimen, outcome, side, clinician in plan:
        report(
            seed,
            make_member(),
            regimen=regimen,
            outcome=outcome,
            side_effects=side,
            clinician=clinician,
        )

    summary = experience_summary(seed)

    by_label = {b.label: b for b in summary.breakdowns}
    assert summary.total == 5
    mk4_row = by_label["MK-4 (menatetrenone)"]
    assert (mk4_row.total, mk4_row.with_clinician) == (3, 1)
    assert mk4_row.outcomes == {
        "helped-a-lot": 2,
        "helped-a-little": 0,
        "no-change": 0,
        "made-it-worse": 1,
    }
    assert mk4_row.side_effects == {"none": 1, "mild": 1, "stopped": 1}
    assert by_label["MK-7"].outcomes["no-change"] == 1
    assert by_label["Diet sources"].total == 0
    assert by_label["Other forms or doses"].outcomes["helped-a-little"] == 1
    assert (summary.helped, summary.not_helped) == (3, 2)


def test_small_samples_show_counts_but_no_percentages(seed, make_member, settings):
    settings.MIN_REPORTS_FOR_PERCENTAGES = 10
    mk4 = seed.regimens.first()
    for _ in range(9):
        report(seed, make_member(), regimen=mk4)

    row = experience_summary(seed).for_regimen(mk4)
    assert not row.enough
    assert all(percent is None for *_, percent in row.outcome_rows)

    report(seed, make_member(), regimen=mk4, outcome="made-it-worse")
    row = experience_summary(seed).for_regimen(mk4)
    assert row.enough
    assert {value: percent for value, _, _, percent in row.outcome_rows} == {
        "helped-a-lot": 90,
        "helped-a-little": 0,
        "no-change": 0,
        "made-it-worse": 10,
    }


def test_pair_page_says_when_the_sample_is_too_small(client, seed, make_member):
    mk4 = seed.regimens.first()
    for _ in range(3):
        report(seed, make_member(), regimen=mk4)

    html = client.get(PAIR_URL).content.decode()

    assert "MK-4 (menatetrenone): 3 reports, too few to draw conclusions" in html
    assert "%)" not in html[html.index('id="experiences"') :]
    assert "People with strong results, good or bad, post more often" in html


def test_pair_page_shows_percentages_from_the_minimum(client, seed, make_member, settings):
    settings.MIN_REPORTS_FOR_PERCENTAGES = 4
    mk7 = list(seed.regimens.all())[1]
    for outcome in ["helped-a-lot", "helped-a-lot", "no-change", "made-it-worse"]:
        report(seed, make_member(), regimen=mk7, outcome=outcome)

    html = client.get(PAIR_URL).content.decode()

    assert "helped a lot 2 (50%)" in html
    assert "made it worse 1 (25%)" in html


@pytest.mark.parametrize(
    ("effectiveness", "grade", "ups", "downs", "expected"),
    [
        (Effectiveness.POSSIBLY_EFFECTIVE, "D", 12, 0, "Members report it helps"),
        (Effectiveness.INSUFFICIENT_EVIDENCE, "C", 12, 0, "Members report it helps"),
        (Effectiveness.POSSIBLY_EFFECTIVE, "C", 12, 0, ""),  # evidence not weak
        (Effectiveness.POSSIBLY_EFFECTIVE, "D", 2, 0, ""),  # too few votes to be strong
        (Effectiveness.LIKELY_EFFECTIVE, "A", 0, 12, "The evidence is strong"),
        (Effectiveness.LIKELY_EFFECTIVE, "C", 0, 12, ""),  # evidence not strong
        (Effectiveness.EFFECTIVE, "B", 6, 6, ""),  # members split
    ],
)
def test_disagreement_rule(make_pair, make_member, effectiveness, grade, ups, downs, expected):
    pair = make_pair(effectiveness=effectiveness)
    Evidence.objects.create(pair=pair, outcome="Outcome", grade=grade, finding="x")
    for _ in range(ups):
        vote_toggle(vote_model=PairVote, target=pair, user=make_member(), value=1)
    for _ in range(downs):
        vote_toggle(vote_model=PairVote, target=pair, user=make_member(), value=-1)
    pair.refresh_from_db()

    message = community_disagrees(pair, experience_summary(pair))

    assert message.startswith(expected) if expected else message == ""


def test_disagreement_can_come_from_reports_alone(make_pair, make_member):
    pair = make_pair(effectiveness=Effectiveness.POSSIBLY_EFFECTIVE)
    Evidence.objects.create(pair=pair, outcome="Outcome", grade="F", finding="x")
    for _ in range(12):
        report(pair, make_member())

    assert community_disagrees(pair, experience_summary(pair)).startswith("Members report")


def test_disagreement_marker_shows_on_the_page(client, seed, make_member):
    Evidence.objects.filter(pair=seed).update(grade="D")
    for _ in range(12):
        vote_toggle(vote_model=PairVote, target=seed, user=make_member(), value=1)

    html = client.get(PAIR_URL).content.decode()

    assert "Members and the evidence disagree." in html
    assert 'href="/how-we-grade-evidence/#disagreement"' in html


def test_grading_page_documents_the_disagreement_rule(client, db):
    html = client.get("/how-we-grade-evidence/").content.decode()

    assert 'id="disagreement"' in html and "at least 60%" in html


def test_member_adds_a_report_plain(client, seed, make_member):
    member = make_member()
    client.force_login(member)
    mk4 = seed.regimens.first()

    response = client.post(REPORT_URL, form_data(mk4))

    assert response.status_code == 302
    assert response["Location"] == f"{PAIR_URL}#experiences"
    saved = ExperienceReport.objects.get(user=member)
    assert (saved.regimen, saved.weeks, saved.outcome, saved.side_effects) == (
        mk4,
        26,
        "helped-a-little",
        "mild",
    )
    assert "helped a little 1" in client.get(PAIR_URL).content.decode()


def test_member_adds_then_changes_a_report_with_htmx(client, seed, make_member):
    member = make_member()
    client.force_login(member)
    mk7 = list(seed.regimens.all())[1]

    first = client.post(REPORT_URL, form_data(mk7), headers=HTMX)
    second = client.post(REPORT_URL, form_data(mk7, outcome="made-it-worse"), headers=HTMX)

    assert first.status_code == second.status_code == 200
    html = second.content.decode()
    assert 'id="experiences"' in html and "your experience report is saved" in html
    assert f'id="regimen-reports-{mk7.pk}" data-hx-swap-oob="true"' in html
    assert "made it worse 1" in html and "helped a little 0" in html
    assert ExperienceReport.objects.filter(user=member).count() == 1


def test_other_form_needs_a_name(client, seed, make_member):
    client.force_login(make_member())

    response = client.post(REPORT_URL, form_data(None, other_form=""), headers=HTMX)

    assert response.status_code == 400
    assert "Name the form you took" in response.content.decode()
    assert ExperienceReport.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weeks": "0"}, "Weeks must be a whole number from 1 to 520."),
        ({"weeks": "521"}, "Weeks must be a whole number from 1 to 520."),
        ({"weeks": "ten"}, "Weeks must be a whole number from 1 to 520."),
        ({"outcome": "cured"}, "Select a valid choice"),
        ({"side_effects": ""}, "Pick an answer about side effects."),
        ({"taken": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_reports_are_refused_with_400(client, seed, make_member, overrides, message):
    client.force_login(make_member())

    response = client.post(REPORT_URL, form_data(seed.regimens.first(), **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ExperienceReport.objects.count() == 0


def test_regimen_of_another_pair_is_refused(client, seed, make_member, make_pair):
    from remedies.models import DosingRegimen

    other = DosingRegimen.objects.create(pair=make_pair(), form="Elsewhere")
    client.force_login(make_member())

    response = client.post(REPORT_URL, {**form_data(None), "taken": str(other.pk)})

    assert response.status_code == 400
    assert ExperienceReport.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client, seed):
    response = client.post(REPORT_URL, form_data(seed.regimens.first()))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert ExperienceReport.objects.count() == 0


def test_suspended_member_cannot_report(client, seed, make_member):
    member = make_member()
    Suspension.objects.create(member=member, reason="spam")
    client.force_login(member)

    response = client.post(REPORT_URL, form_data(seed.regimens.first()), headers=HTMX)

    assert response.status_code == 403
    assert ExperienceReport.objects.count() == 0


def test_pair_page_query_count_does_not_grow_with_reports(
    client, seed, make_member, django_assert_max_num_queries
):
    from tests.remedies.test_query_budget import PAIR_PAGE_QUERIES

    regimens = list(seed.regimens.all())
    users = User.objects.bulk_create(
        [User(username=f"reporter{i}", password="!") for i in range(300)]
    )
    ExperienceReport.objects.bulk_create(
        [
            ExperienceReport(
                pair=seed,
                user=user,
                regimen=regimens[i % 3] if i % 4 else None,
                outcome=["helped-a-lot", "no-change", "made-it-worse"][i % 3],
                side_effects="none",
                weeks=4 + i % 50,
            )
            for i, user in enumerate(users)
        ]
    )
    client.get(PAIR_URL)

    with django_assert_max_num_queries(PAIR_PAGE_QUERIES):
        html = client.get(PAIR_URL).content.decode()
    assert "(300 in all)" in html


def test_editor_exports_reports_as_csv(client, seed, editor, make_member):
    report(seed, make_member(), regimen=seed.regimens.first(), clinician=True)
    report(seed, make_member(), other_form="MK-7 gummy", outcome="made-it-worse")
    client.force_login(editor)

    listing = client.get("/admin/remedies/experiencereport/")
    assert listing.status_code == 200
    assert "Breakdown of the reports shown" in listing.content.decode()
    response = client.post(
        "/admin/remedies/experiencereport/",
        {
            "action": "export_reports_csv",
            "_selected_action": list(ExperienceReport.objects.values_list("pk", flat=True)),
        },
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["remedy", "condition", "taken"]
    assert sorted(row[4] for row in rows[1:]) == ["Helped a lot", "Made it worse"]
    assert all("member" not in cell for row in rows for cell in row)
