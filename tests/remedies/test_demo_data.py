"""manage.py generate_demo_data: sizes, invariants, determinism, pages, and --reset."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Q

from conditions.models import Condition
from config.markup import render_editorial_markdown, render_markdown
from discussion.models import Comment, CommentVote, Thread, wilson_lower_bound
from discussion.services import comment_create, vote_toggle
from remedies.citations import citation_keys
from remedies.management.commands.generate_demo_data import (
    BENCH_REMEDY_SLUG,
    MAX_DEPTH,
    SEARCH_WORD,
)
from remedies.models import (
    Citation,
    DosingRegimen,
    Evidence,
    ExperienceReport,
    Pair,
    PairVote,
    Remedy,
    Warning,
)

SMALL = [
    "--remedies=5",
    "--conditions=4",
    "--pairs=10",
    "--members=30",
    "--comments=200",
    "--votes=500",
    "--reports=50",
]
BENCH_COUNTS = [0, 20, 100, 1000, 10000]


def generate(*options: str) -> str:
    out = StringIO()
    call_command("generate_demo_data", *SMALL, *options, stdout=out)
    return out.getvalue()


def demo_pairs():
    return Pair.objects.filter(remedy__slug__startswith="demo-")


def bench_threads():
    bench_pairs = Pair.objects.filter(remedy__slug=BENCH_REMEDY_SLUG)
    return Thread.objects.filter(
        content_type=ContentType.objects.get_for_model(Pair), object_id__in=bench_pairs
    )


def discussion_snapshot() -> list[tuple]:
    """Every demo comment in the order it was written, as readers see it."""
    return list(
        Comment.objects.filter(author__username__startswith="demo-member-")
        .order_by("pk")
        .values_list("body", "author__username", "depth", "upvotes", "downvotes")
    )


def assert_counters_equal_rows(target_model, vote_model, targets) -> None:
    tallies = targets.annotate(
        up_rows=Count("votes", filter=Q(votes__value=1)),
        down_rows=Count("votes", filter=Q(votes__value=-1)),
    ).values_list("upvotes", "downvotes", "score", "up_rows", "down_rows")
    for up, down, score, up_rows, down_rows in tallies:
        assert (up, down) == (up_rows, down_rows)
        assert score == wilson_lower_bound(up_rows, down_rows)


def test_generates_the_sizes_asked_for_with_exact_counters(seed):
    output = generate("--pair-comments")
    assert "Demo data generated" in output

    assert Remedy.objects.filter(slug__startswith="demo-").count() == 5 + 1
    assert Condition.objects.filter(slug__startswith="demo-").count() == 4 + len(BENCH_COUNTS)
    assert demo_pairs().count() == 10 + len(BENCH_COUNTS)
    assert User.objects.filter(username__startswith="demo-member-").count() == 30
    assert not demo_pairs().exclude(status="published").exists()
    assert not Remedy.objects.filter(slug__startswith="demo-", status="draft").exists()
    assert not Condition.objects.filter(slug__startswith="demo-", status="draft").exists()

    bench = bench_threads()
    general_comments = Comment.objects.filter(author__username__startswith="demo-member-")
    general_comments = general_comments.exclude(thread__in=bench)
    assert general_comments.count() == 200
    counts = {
        pair.condition.slug: pair.discussion_threads.first()
        for pair in Pair.objects.filter(remedy__slug=BENCH_REMEDY_SLUG).select_related("condition")
    }
    for n in BENCH_COUNTS:
        thread = counts[f"demo-bench-{n}"]
        found = Comment.objects.filter(thread=thread).count() if thread else 0
        assert found == n
        if n:
            top_level = Comment.objects.filter(thread=thread, parent__isnull=True).count()
            assert top_level == round(n * 0.2)
    deepest = Comment.objects.filter(thread__in=bench).aggregate(Max("depth"))["depth__max"]
    assert 4 <= deepest <= MAX_DEPTH

    general_votes = PairVote.objects.filter(target__in=demo_pairs()).count()
    general_votes += CommentVote.objects.filter(target__in=general_comments).count()
    assert general_votes == 500
    assert CommentVote.objects.filter(target__thread__in=bench).count() > 0
    assert ExperienceReport.objects.filter(pair__in=demo_pairs()).count() == 50

    assert_counters_equal_rows(Pair, PairVote, demo_pairs())
    assert_counters_equal_rows(
        Comment, CommentVote, Comment.objects.filter(thread__in=Thread.objects.all())
    )
    for thread in Thread.objects.annotate(
        rows=Count("comments", filter=Q(comments__is_deleted=False))
    ):
        assert thread.comment_count == thread.rows

    # Trees: root is the top-level ancestor (itself at the top), depth one below the parent.
    comments = {c.pk: c for c in Comment.objects.filter(thread__in=bench)}
    for comment in comments.values():
        if comment.parent_id is None:
            assert (comment.root_id, comment.depth) == (comment.pk, 0)
        else:
            parent = comments[comment.parent_id]
            assert comment.root_id == parent.root_id
            assert comment.depth == parent.depth + 1
            assert comment.thread_id == parent.thread_id
            assert comment.created_at >= parent.created_at

    # Editorial content: 2–3 regimens and 1–3 evidence items a pair, texts rendered once
    # with the site's renderers, citations that exist.
    for pair in demo_pairs().annotate(
        regimen_count=Count("regimens", distinct=True),
        evidence_count=Count("evidence_items", distinct=True),
    ):
        assert 2 <= pair.regimen_count <= 3
        assert 1 <= pair.evidence_count <= 3
        assert pair.mechanism_html == render_editorial_markdown(pair.mechanism)
    assert set(Evidence.objects.values_list("grade", flat=True)) <= set("ABCDF")
    assert Warning.objects.filter(remedy__slug__startswith="demo-", pair=None).exists()
    assert Warning.objects.filter(pair__in=demo_pairs()).exists()
    keys = set(Citation.objects.values_list("key", flat=True))
    cited = [
        key
        for text in [
            *demo_pairs().values_list("mechanism", flat=True),
            *DosingRegimen.objects.values_list("details", flat=True),
            *Evidence.objects.values_list("finding", flat=True),
        ]
        for key in citation_keys(text)
    ]
    assert cited and set(cited) <= keys
    for comment in Comment.objects.order_by("pk")[:50]:
        assert comment.body_html == render_markdown(comment.body)

    # The seed entry is still there, untouched.
    assert seed.remedy.slug == "vitamin-k2"
    assert Pair.objects.get(pk=seed.pk).upvotes == 0


def test_the_same_seed_gives_the_same_data(db):
    generate("--pair-comments=0,100,1000", "--seed=7")
    first = discussion_snapshot()
    first_pairs = list(demo_pairs().order_by("pk").values_list("remedy__name", "condition__name"))
    generate("--pair-comments=0,100,1000", "--seed=7", "--reset")
    assert discussion_snapshot() == first
    assert (
        list(demo_pairs().order_by("pk").values_list("remedy__name", "condition__name"))
        == first_pairs
    )
    assert len(first) == 200 + 1100

    generate("--pair-comments=0,100,1000", "--seed=8", "--reset")
    assert discussion_snapshot() != first


def test_every_generated_page_returns_200(seed, client):
    generate("--pair-comments")
    urls = ["/", "/remedies/", "/conditions/", f"/search/?q={SEARCH_WORD}"]
    urls += [r.get_absolute_url() for r in Remedy.objects.filter(slug__startswith="demo-")]
    urls += [c.get_absolute_url() for c in Condition.objects.filter(slug__startswith="demo-")]
    urls += [c.get_absolute_url() + "?sort=community" for c in Condition.objects.all()[:2]]
    pairs = list(demo_pairs().select_related("remedy", "condition"))
    urls += [p.get_absolute_url() for p in pairs]
    urls += [f"/discussions/remedies.pair/{p.pk}/?page=2&sort=new" for p in pairs]
    urls += [f"/members/demo-member-{n}/" for n in (1, 2, 30)]
    for url in urls:
        assert client.get(url).status_code == 200, url

    search = client.get(f"/search/?q={SEARCH_WORD}").content.decode()
    assert "<mark>" in search
    biggest = client.get("/remedies/demo-bench-remedy/demo-bench-10000/").content.decode()
    assert "10,000" in biggest or "10000" in biggest

    client.force_login(User.objects.get(username="demo-member-1"))
    for pair in pairs:
        assert client.get(pair.get_absolute_url()).status_code == 200


def test_reset_removes_the_demo_data_and_keeps_the_seed_entry(seed):
    generate("--pair-comments=0,100")
    with pytest.raises(CommandError, match="--reset"):
        generate()

    # A demo member who voted and commented on the seed page: both go, counters follow.
    member = User.objects.get(username="demo-member-3")
    vote_toggle(vote_model=PairVote, target=seed, user=member, value=1)
    comment_create(author=member, target=seed, body="Seen on the seed page", parent_id=None)
    assert Pair.objects.get(pk=seed.pk).upvotes == 1

    out = StringIO()
    call_command("generate_demo_data", "--reset-only", stdout=out)
    assert "Removed demo data" in out.getvalue()

    assert not Remedy.objects.filter(slug__startswith="demo-").exists()
    assert not Condition.objects.filter(slug__startswith="demo-").exists()
    assert not Citation.objects.filter(key__startswith="demo-").exists()
    assert not User.objects.filter(username__startswith="demo-member-").exists()
    assert not Pair.objects.exclude(pk=seed.pk).exists()
    assert not Comment.objects.exists()
    assert not CommentVote.objects.exists() and not PairVote.objects.exists()
    assert not ExperienceReport.objects.exists()
    assert Thread.objects.get().comment_count == 0  # the seed page's discussion

    seed_pair = Pair.objects.select_related("remedy", "condition").get(pk=seed.pk)
    assert (seed_pair.upvotes, seed_pair.downvotes, seed_pair.score) == (0, 0, 0.0)
    assert seed_pair.remedy.slug == "vitamin-k2"
    assert seed_pair.condition.slug == "osteoporosis"
    assert seed_pair.regimens.count() == 3 and seed_pair.evidence_items.count() == 3
    assert Citation.objects.count() == 8


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--pairs=21"], "cannot exceed"),
        (["--votes=100000"], "Too many pair votes"),
        (["--pair-comments=5,5"], "distinct"),
        (["--members=0"], "need --members"),
    ],
)
def test_impossible_sizes_are_refused_and_nothing_is_left(db, options, message):
    with pytest.raises(CommandError, match=message):
        generate(*options)
    assert not Remedy.objects.exists()
    assert not User.objects.exists()
