"""The anonymous page cache never serves a stale page and keeps forms working."""

import re

import pytest
from django.test import Client

from discussion.models import CommentVote
from discussion.services import comment_create, vote_toggle
from remedies.models import Evidence, PairVote
from remedies.services import experience_report_save

PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def writes(django_capture_on_commit_callbacks):
    """Run writes as the site does: cache versions move when the transaction commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def fetch(url: str):
    return Client().get(url)


def test_second_anonymous_view_is_a_cache_hit_without_queries(seed, django_assert_num_queries):
    assert fetch(PAIR_URL)["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):  # which versions it depends on is remembered too
        response = fetch(PAIR_URL)

    assert response["X-Page-Cache"] == "hit"
    assert "Specific Warnings for Osteoporosis" in response.content.decode()


@pytest.mark.parametrize("url", [PAIR_URL, "/", "/discussions/remedies.pair/1/"])
def test_new_comment_shows_at_once(seed, make_member, writes, url):
    fetch(url)
    fetch(url)

    writes(
        lambda: comment_create(author=make_member(), target=seed, body="Brand new", parent_id=None)
    )

    response = fetch(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Brand new" in response.content.decode()


def test_comment_on_a_pair_updates_the_remedy_page_statistics(seed, make_member, writes):
    fetch("/remedies/vitamin-k2/")

    writes(lambda: comment_create(author=make_member(), target=seed, body="Hi", parent_id=None))

    html = fetch("/remedies/vitamin-k2/").content.decode()
    assert "<dt>Comments</dt><dd>1</dd>" in html


def test_pair_vote_updates_pair_remedy_and_condition_pages(seed, make_member, writes):
    for url in [PAIR_URL, "/remedies/vitamin-k2/", "/conditions/osteoporosis/"]:
        fetch(url)

    writes(lambda: vote_toggle(vote_model=PairVote, target=seed, user=make_member(), value=1))

    assert "1 up • 0 down" in fetch(PAIR_URL).content.decode()
    assert "1 up • 0 down" in fetch("/remedies/vitamin-k2/").content.decode()
    assert "1 up • 0 down" in fetch("/conditions/osteoporosis/").content.decode()


def test_a_pair_added_later_moves_the_remedy_page_with_its_votes(
    seed, make_condition, make_pair, make_member, writes
):
    fetch("/remedies/vitamin-k2/")  # remembers which pairs the remedy page depends on
    added = writes(lambda: make_pair(remedy=seed.remedy, condition=make_condition(name="Gout")))
    fetch("/remedies/vitamin-k2/")

    writes(lambda: vote_toggle(vote_model=PairVote, target=added, user=make_member(), value=-1))

    html = fetch("/remedies/vitamin-k2/").content.decode()
    assert "<dt>Down votes</dt><dd>1</dd>" in html


def test_comment_vote_updates_the_page(seed, make_comment, make_member, writes):
    comment = make_comment(seed, body="Vote on me")
    fetch(PAIR_URL)

    writes(
        lambda: vote_toggle(vote_model=CommentVote, target=comment, user=make_member(), value=-1)
    )

    assert "0 up • 1 down" in fetch(PAIR_URL).content.decode()


def test_editorial_change_updates_every_page(seed, writes):
    for url in [PAIR_URL, "/remedies/vitamin-k2/", "/conditions/osteoporosis/", "/"]:
        fetch(url)

    def edit():
        item = Evidence.objects.filter(pair=seed).first()
        item.finding = "A freshly rewritten finding."
        item.save()

    writes(edit)

    assert "A freshly rewritten finding." in fetch(PAIR_URL).content.decode()


def test_experience_report_updates_the_pair_page(seed, make_member, writes):
    fetch(PAIR_URL)
    data = {
        "regimen": seed.regimens.first(),
        "weeks": 4,
        "outcome": "made-it-worse",
        "side_effects": "none",
    }

    writes(lambda: experience_report_save(user=make_member(), pair=seed, data=data))

    assert "made it worse 1" in fetch(PAIR_URL).content.decode()


def test_cached_page_carries_a_working_csrf_token_for_each_visitor(seed):
    fetch(PAIR_URL)
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(PAIR_URL)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html))
    assert len(tokens) == 1 and "\x00" not in html

    response = visitor.post(
        f"/discussions/remedies.pair/{seed.pk}/comments/",
        {"body": "Typed while logged out", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302  # to log in, with the draft kept; not a CSRF 403
    assert response["Location"].startswith("/accounts/login/")


def test_members_never_get_cached_pages(client, seed, make_member, writes):
    member = make_member()
    fetch(PAIR_URL)
    writes(lambda: vote_toggle(vote_model=PairVote, target=seed, user=member, value=1))
    client.force_login(member)

    response = client.get(PAIR_URL)

    assert "X-Page-Cache" not in response
    assert 'aria-pressed="true"' in response.content.decode()


def test_drafts_are_never_cached_for_readers(seed, writes):
    fetch(PAIR_URL)

    def unpublish():
        seed.status = "draft"
        seed.save()

    writes(unpublish)

    assert fetch(PAIR_URL).status_code == 404
