"""The benchmark's rows, and the SQL queries one request of each costs.

Run by bench/run.py in its own process, against the benchmark database and settings
(DJANGO_SETTINGS_MODULE=bench.settings): finds the pages to load in the generated data,
then sends one request of each through Django's test client and counts its queries
(after one page has warmed per-process caches such as content types). Prints JSON.
"""

import json
import os
import sys
from urllib.parse import parse_qsl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from conditions.models import Condition  # noqa: E402
from discussion.models import Comment, Thread  # noqa: E402
from remedies.management.commands.generate_demo_data import (  # noqa: E402
    BENCH_CONDITION_PREFIX,
    BENCH_REMEDY_SLUG,
    DEMO_PASSWORD,
    MEMBER_PREFIX,
    SEARCH_WORD,
)
from remedies.models import Pair, Remedy  # noqa: E402

MEMBER = f"{MEMBER_PREFIX}1"
# Counted apart: a write's transaction adds these two to its queries.
TRANSACTION_CONTROL = {"BEGIN", "COMMIT"}
VOTE_TARGETS = 200


def first(queryset, preferred: dict):
    return queryset.filter(**preferred).first() or queryset.order_by("pk").first()


def rows() -> list[dict]:
    demo_remedies = Remedy.objects.filter(slug__startswith="demo-").exclude(slug=BENCH_REMEDY_SLUG)
    demo_conditions = Condition.objects.filter(slug__startswith="demo-").exclude(
        slug__startswith=BENCH_CONDITION_PREFIX
    )
    remedy = first(demo_remedies, {"slug": f"demo-{SEARCH_WORD}"})
    condition = first(demo_conditions, {"slug": "demo-insomnia"})
    bench_pairs = sorted(
        Pair.objects.filter(remedy__slug=BENCH_REMEDY_SLUG).select_related("remedy", "condition"),
        key=lambda pair: int(pair.condition.slug.removeprefix(BENCH_CONDITION_PREFIX)),
    )
    if not (remedy and condition and bench_pairs):
        sys.exit("No demo data: run manage.py generate_demo_data --pair-comments first.")
    general_pair = (
        Pair.objects.filter(remedy__in=demo_remedies).order_by("pk").first() or bench_pairs[0]
    )
    bench_threads = Thread.objects.filter(
        content_type=ContentType.objects.get_for_model(Pair),
        object_id__in=[pair.pk for pair in bench_pairs],
    )
    comments = Comment.objects.filter(is_deleted=False)
    vote_ids = list(
        comments.exclude(thread__in=bench_threads)
        .order_by("pk")
        .values_list("pk", flat=True)[:VOTE_TARGETS]
    ) or list(comments.order_by("pk").values_list("pk", flat=True)[:VOTE_TARGETS])

    def row(name, path, *, method="GET", body="", signed_in=False, ids=None, server="cached"):
        return {
            "name": name,
            "method": method,
            "path": path,
            "body": body,
            "signed_in": signed_in,
            "ids": ids or [],
            # "cached": served as in production (anonymous pages from the page cache);
            # "uncached": the same site with PAGE_CACHE=0, every page rendered anew.
            "server": server,
        }

    plan = [
        row("ceiling (no database)", "/__bench__/ceiling/"),
        row("home", "/"),
        row(f"remedy page ({remedy.slug})", remedy.get_absolute_url()),
        row(f"condition page ({condition.slug})", condition.get_absolute_url()),
    ]
    for who, signed_in, server in [
        ("anonymous", False, "cached"),
        ("anonymous, uncached", False, "uncached"),
        ("signed in", True, "cached"),
    ]:
        for pair in bench_pairs:
            comments_count = int(pair.condition.slug.removeprefix(BENCH_CONDITION_PREFIX))
            plan.append(
                row(
                    f"pair, {comments_count:,} comments, {who}",
                    pair.get_absolute_url(),
                    signed_in=signed_in,
                    server=server,
                )
            )
    plan.append(row(f"search ({SEARCH_WORD})", f"/search/?q={SEARCH_WORD}"))
    if vote_ids:
        plan.append(
            row(
                "comment vote (POST, toggles)",
                "/comments/{id}/vote/",
                method="POST",
                body="value=up",
                signed_in=True,
                ids=vote_ids,
            )
        )
    plan.append(
        row(
            "new comment (POST)",
            f"/discussions/remedies.pair/{general_pair.pk}/comments/",
            method="POST",
            body="body=Posted+by+the+benchmark%3A+it+helped+a+little.",
            signed_in=True,
        )
    )
    return plan


def count_queries(plan: list[dict]) -> None:
    """Queries of one request of each row, once per-process caches (content types, the
    URL resolver) are warm, as they are in a server that has served a page. A row's first
    request misses the page cache (`queries`); for anonymous rows of the cached server, a
    second request shows what a page cache hit costs (`hit_queries`)."""
    member = get_user_model().objects.get(username=MEMBER)
    anonymous = Client(HTTP_HOST="127.0.0.1")
    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(member)
    warm_page = next(entry["path"] for entry in plan if entry["name"].startswith("pair"))
    with override_settings(PAGE_CACHE=False):
        for client in (anonymous, signed_in):
            client.get(warm_page)

    def send(client, entry):
        path = entry["path"]
        if entry["ids"]:
            path = path.replace("{id}", str(entry["ids"][0]))
        with CaptureQueriesContext(connection) as queries:
            if entry["method"] == "POST":
                response = client.post(path, dict(parse_qsl(entry["body"])))
            else:
                response = client.get(path)
        statements = [q["sql"] for q in queries.captured_queries]
        control = sum(1 for sql in statements if sql.upper() in TRANSACTION_CONTROL)
        entry.setdefault("transaction_statements", control)
        return len(statements) - control, response.status_code

    for entry in plan:
        client = signed_in if entry["signed_in"] else anonymous
        with override_settings(PAGE_CACHE=entry["server"] == "cached" and settings.PAGE_CACHE):
            entry["queries"], entry["status_in_process"] = send(client, entry)
            if entry["server"] == "cached" and not entry["signed_in"] and entry["method"] == "GET":
                entry["hit_queries"], _ = send(client, entry)


def main() -> None:
    plan = rows()
    count_queries(plan)
    json.dump({"member": MEMBER, "password": DEMO_PASSWORD, "rows": plan}, sys.stdout)


if __name__ == "__main__":
    main()
