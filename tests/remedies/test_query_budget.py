"""Page query counts do not grow with the amount of content on the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from remedies.models import DosingRegimen, Evidence, Product, Warning

# Content, both discussions' threads (one query), the statistics, and the experience
# reports (breakdown, votes by month); empty discussions.
PAIR_PAGE_QUERIES = 11
REMEDY_PAGE_QUERIES = 7


def add_content(pair, make_citation, make_condition, make_pair, times: int) -> None:
    """Give the pair and its remedy `times` of everything a page lists."""
    for i in range(times):
        cite = make_citation()
        DosingRegimen.objects.create(
            pair=pair,
            order=i,
            form=f"Form {i}",
            dose=f"{i} mg [@{cite.key}]",
            details=f"Details [@{cite.key}]",
        )
        Evidence.objects.create(
            pair=pair,
            order=i,
            outcome=f"Outcome {i % 3}",
            grade="B",
            finding=f"Found [@{cite.key}]",
        )
        Warning.objects.create(
            remedy=pair.remedy,
            pair=pair,
            kind="safety",
            severity="minor",
            title=f"W{i}",
            body=f"Careful [@{cite.key}]",
        )
        Warning.objects.create(
            remedy=pair.remedy, kind="safety", severity="minor", title=f"RW{i}", body="All uses"
        )
        Product.objects.create(remedy=pair.remedy, name=f"Product {i}")
        make_pair(remedy=pair.remedy, condition=make_condition(), mechanism=f"Why [@{cite.key}]")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("times", [1, 10])
def test_pair_page_query_count_is_fixed(
    client, make_pair, make_citation, make_condition, times, django_assert_max_num_queries
):
    pair = make_pair()
    add_content(pair, make_citation, make_condition, make_pair, times)
    client.get(pair.get_absolute_url())  # warm per-process caches (content types)

    with django_assert_max_num_queries(PAIR_PAGE_QUERIES):
        response = client.get(pair.get_absolute_url())
    assert response.content.decode().count('class="regimen card"') == times


@pytest.mark.parametrize("times", [1, 10])
def test_remedy_page_query_count_is_fixed(
    client, make_pair, make_citation, make_condition, times, django_assert_max_num_queries
):
    pair = make_pair()
    add_content(pair, make_citation, make_condition, make_pair, times)
    client.get(pair.remedy.get_absolute_url())  # warm per-process caches (content types)

    with django_assert_max_num_queries(REMEDY_PAGE_QUERIES):
        response = client.get(pair.remedy.get_absolute_url())
    assert response.content.decode().count('class="card teaser"') == times + 1


def test_pair_page_costs_the_same_with_ten_times_the_content(
    client, make_pair, make_citation, make_condition
):
    small, large = make_pair(), make_pair()
    add_content(small, make_citation, make_condition, make_pair, 1)
    add_content(large, make_citation, make_condition, make_pair, 10)
    client.get(small.get_absolute_url())  # warm per-process caches (content types)

    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )
