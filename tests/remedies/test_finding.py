"""Finding things: condition rankings, search, home page, and what search engines read."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from discussion.services import vote_toggle
from remedies.models import Effectiveness, Evidence, PairVote
from tests.htmlcheck import start_tags


def ranked_names(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    ranking = html[html.index('<ol class="ranked-list">') :]
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', ranking)


@pytest.fixture
def ranked_condition(make_condition, make_remedy, make_pair, make_member):
    """Four remedies for one condition with known evidence and votes."""
    condition = make_condition(name="Insomnia", slug="insomnia")
    voters = [make_member() for _ in range(6)]

    def pair(name, effectiveness, grade, ups, downs):
        p = make_pair(
            remedy=make_remedy(name=name), condition=condition, effectiveness=effectiveness
        )
        Evidence.objects.create(pair=p, outcome="Sleep", grade=grade, finding="Found.")
        for voter in voters[:ups]:
            vote_toggle(vote_model=PairVote, target=p, user=voter, value=1)
        for voter in voters[ups : ups + downs]:
            vote_toggle(vote_model=PairVote, target=p, user=voter, value=-1)
        return p

    pair("Melatonin", Effectiveness.LIKELY_EFFECTIVE, "B", 1, 3)
    pair("Valerian", Effectiveness.POSSIBLY_EFFECTIVE, "C", 6, 0)
    pair("Chamomile", Effectiveness.POSSIBLY_EFFECTIVE, "D", 2, 0)
    pair("Lavender", Effectiveness.POSSIBLY_EFFECTIVE, "C", 0, 0)
    return condition


def test_condition_ranking_by_evidence(client, ranked_condition):
    # Effectiveness first, then the better grade; Valerian beats Lavender (same grade) on votes.
    assert ranked_names(client, "/conditions/insomnia/") == [
        "Melatonin",
        "Valerian",
        "Lavender",
        "Chamomile",
    ]


def test_condition_ranking_by_community(client, ranked_condition):
    # Wilson lower bound: 6 of 6 beats 2 of 2 beats 1 of 4; no votes last.
    assert ranked_names(client, "/conditions/insomnia/?sort=community") == [
        "Valerian",
        "Chamomile",
        "Melatonin",
        "Lavender",
    ]


def test_condition_ranking_ties_are_broken_by_name(client, make_condition, make_remedy, make_pair):
    condition = make_condition(slug="ties")
    for name in ["Zinc", "Aloe", "Mint"]:
        make_pair(remedy=make_remedy(name=name), condition=condition, effectiveness=5)

    for sort in ["evidence", "community"]:
        assert ranked_names(client, f"/conditions/ties/?sort={sort}") == ["Aloe", "Mint", "Zinc"]


def test_condition_page_shows_science_and_community_side_by_side(client, ranked_condition):
    html = client.get("/conditions/insomnia/").content.decode()

    assert "What the science says" in html and "What members say" in html
    assert "Evidence grade B" in html
    assert "6 up • 0 down" in html
    assert "Community score: <strong>61%</strong>" in html  # Wilson lower bound of 6/6


def test_condition_ranking_query_count_is_fixed(
    client, ranked_condition, make_remedy, make_pair, django_assert_max_num_queries
):
    for _ in range(20):
        make_pair(remedy=make_remedy(), condition=ranked_condition)

    with django_assert_max_num_queries(4):
        response = client.get("/conditions/insomnia/?sort=community")
    assert response.content.decode().count('class="card ranked"') == 24


def test_remedy_page_lists_conditions_with_grade_and_tally(client, seed, make_member):
    vote_toggle(vote_model=PairVote, target=seed, user=make_member(), value=1)

    html = client.get("/remedies/vitamin-k2/").content.decode()
    helps = html[html.index("Helps with these conditions") : html.index("Detailed Information")]

    assert 'href="/remedies/vitamin-k2/osteoporosis/"' in helps
    assert "Evidence grade C" in helps
    assert "1 up • 0 down" in helps


def result_titles(client, query: str) -> list[str]:
    html = client.get("/search/", {"q": query}).content.decode()
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.mark.parametrize(
    "query", ["Vitamin K2", "vitamin", "osteoporosis", "Osteoporosis", "fracture", "menatetrenone"]
)
def test_search_finds_the_seed_pair(client, seed, query):
    assert "Vitamin K2 for Osteoporosis" in result_titles(client, query)


def test_search_ranks_the_pair_first_for_its_condition(client, seed):
    assert result_titles(client, "osteoporosis")[0] == "Vitamin K2 for Osteoporosis"


@pytest.mark.postgres
def test_search_finds_a_misspelling_on_postgres(client, seed):
    assert result_titles(client, "osteoperosis")[0] == "Vitamin K2 for Osteoporosis"


def test_editors_changes_are_searchable_at_once(client, seed):
    """On PostgreSQL search reads stored vectors: every editorial save must refresh them
    (a finding, a renamed remedy, a new condition's pages), and a removed finding must
    stop matching."""
    evidence = seed.evidence_items.first()
    evidence.finding = "Fewer hip fractures among glassblowers."
    evidence.save()
    remedy = seed.remedy
    remedy.name = "Menaquinone"
    remedy.save()

    assert "Menaquinone for Osteoporosis" in result_titles(client, "glassblowers")
    assert "Menaquinone for Osteoporosis" in result_titles(client, "menaquinone")

    evidence.delete()
    assert "Menaquinone for Osteoporosis" not in result_titles(client, "glassblowers")


def test_search_highlights_matched_words(client, seed):
    html = client.get("/search/", {"q": "fracture"}).content.decode()

    assert "<mark>fracture</mark>" in html.lower()


def test_search_does_not_show_drafts(client, seed):
    seed.status = "draft"
    seed.save()

    assert "Vitamin K2 for Osteoporosis" not in result_titles(client, "osteoporosis")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!",
        "x" * 5000,
        "a\x00b",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "& | ! ( ) :*",
        "\u202e\u200b",
        "🦴🦴",
    ],
)
def test_search_answers_any_query_with_a_friendly_page(client, seed, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "Search" in html


def test_search_query_count_is_bounded(client, seed, make_pair, django_assert_max_num_queries):
    for _ in range(30):
        make_pair(mechanism="Helps bones by fracture prevention.")

    with django_assert_max_num_queries(4):
        response = client.get("/search/", {"q": "fracture"})
    assert response.content.decode().count('<li class="card">') >= 21


def test_every_page_has_a_search_box_and_the_disclaimer(client, seed):
    for url in [
        "/",
        "/remedies/",
        "/remedies/vitamin-k2/",
        "/remedies/vitamin-k2/osteoporosis/",
        "/conditions/osteoporosis/",
        "/search/?q=k2",
        "/accounts/login/",
    ]:
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'name="q"' in html, url
        assert "Medical disclaimer" in html, url


def test_pages_have_title_description_canonical_and_open_graph(client, seed):
    html = client.get("/remedies/vitamin-k2/osteoporosis/?utm_source=x").content.decode()

    assert "<title>Vitamin K2 for Osteoporosis" in html
    assert '<meta name="description" content="MK-4 at 45 mg/day' in html
    assert (
        '<link rel="canonical" href="http://testserver/remedies/vitamin-k2/osteoporosis/">' in html
    )
    assert '<meta property="og:title" content="Vitamin K2 for Osteoporosis">' in html
    assert '<meta property="og:type" content="article">' in html


def json_ld_blocks(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_json_ld_names_the_right_entities(client, seed):
    (pair,) = json_ld_blocks(client.get("/remedies/vitamin-k2/osteoporosis/").content.decode())
    assert pair["@type"] == "MedicalWebPage"
    assert {(a["@type"], a["name"]) for a in pair["about"]} == {
        ("DietarySupplement", "Vitamin K2"),
        ("MedicalCondition", "Osteoporosis"),
    }
    (remedy,) = json_ld_blocks(client.get("/remedies/vitamin-k2/").content.decode())
    assert (remedy["@type"], remedy["name"]) == ("DietarySupplement", "Vitamin K2")
    (condition,) = json_ld_blocks(client.get("/conditions/osteoporosis/").content.decode())
    assert (condition["@type"], condition["name"]) == ("MedicalCondition", "Osteoporosis")


def test_json_ld_cannot_be_broken_out_of(client, seed):
    seed.summary = "</script><script>alert(1)</script>"
    seed.save()

    html = client.get("/remedies/vitamin-k2/osteoporosis/").content.decode()

    (data,) = json_ld_blocks(html)
    assert data["description"] == "</script><script>alert(1)</script>"
    assert not [
        a
        for t, a in start_tags(html)
        if t == "script" and not a.get("src") and a.get("type") != "application/ld+json"
    ]


def test_sitemap_lists_exactly_the_published_pages(client, seed, make_pair, make_remedy):
    draft_pair = make_pair(status="draft")
    draft_remedy = make_remedy(status="draft")

    response = client.get("/sitemap.xml")

    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {
        loc.text.replace("http://testserver", "")
        for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)
    }
    assert {
        "/remedies/vitamin-k2/",
        "/conditions/osteoporosis/",
        "/remedies/vitamin-k2/osteoporosis/",
    } <= locations
    assert draft_pair.get_absolute_url() not in locations
    assert draft_remedy.get_absolute_url() not in locations
    published = {
        draft_pair.remedy.get_absolute_url(),
        draft_pair.condition.get_absolute_url(),
    }
    content = locations - {"/", "/remedies/", "/conditions/", "/how-we-grade-evidence/"}
    assert content == {
        "/remedies/vitamin-k2/",
        "/conditions/osteoporosis/",
        "/remedies/vitamin-k2/osteoporosis/",
        *published,
    }


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_discussion_feed_lists_new_comments_in_atom(client, seed, make_comment):
    make_comment(seed, body="First **bold** comment")
    hidden = make_comment(seed, body="Hidden text")
    hidden.moderation = "hidden"
    hidden.save()

    response = client.get(f"/discussions/remedies.pair/{seed.pk}/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", atom)
    assert len(entries) == 1
    assert "<strong>bold</strong>" in entries[0].find("a:summary", atom).text
    assert b"Hidden text" not in response.content


def test_home_page_shows_discussed_new_and_top_rated(client, seed, make_comment, make_member):
    make_comment(seed, body="Fresh thoughts on K2")
    vote_toggle(vote_model=PairVote, target=seed, user=make_member(), value=1)

    html = client.get("/").content.decode()

    for heading in [
        "Browse by condition",
        "Most discussed this month",
        "Top rated by members",
        "Newest comments",
    ]:
        assert heading in html
    assert "1 new comment" in html
    assert "Fresh thoughts on K2" in html
    assert 'href="/conditions/osteoporosis/"' in html


def test_home_page_query_count_is_fixed(
    client, seed, make_comment, make_pair, make_member, django_assert_max_num_queries
):
    for _ in range(10):
        pair = make_pair()
        make_comment(pair)
        make_comment(pair.remedy)
    client.get("/")

    with django_assert_max_num_queries(8):
        client.get("/")


def test_most_discussed_counts_only_this_months_comments(client, seed, make_comment):
    from datetime import timedelta

    from django.utils import timezone

    from discussion.models import Comment

    old = make_comment(seed, body="Last season")
    make_comment(seed, body="This month")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    html = client.get("/").content.decode()

    assert "1 new comment" in html and "2 new comments" not in html
