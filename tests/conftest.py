"""Shared fixtures: the seed entry and small factories for content and members."""

import itertools
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from conditions.models import Condition
from remedies.models import Citation, Pair, Remedy
from remedies.services import seed_load

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse
# to run beside it without this. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_sequence = itertools.count(1)


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    if is_postgres():
        return
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    for item in items:
        if "postgres" in item.keywords:
            if required:
                item.add_marker(
                    pytest.mark.xfail(
                        reason="REQUIRE_POSTGRES=1 but not on PostgreSQL", strict=True, run=False
                    )
                )
            else:
                item.add_marker(
                    pytest.mark.skip(
                        reason="needs PostgreSQL: run with DATABASE_URL=postgres://... "
                        "(CI runs it in its PostgreSQL pass)"
                    )
                )


@pytest.fixture
def seed(db) -> Pair:
    """The shipped first entry, Vitamin K2 for Osteoporosis, loaded as `make run` does."""
    seed_load()
    return Pair.objects.select_related("remedy", "condition").get(
        remedy__slug="vitamin-k2", condition__slug="osteoporosis"
    )


@pytest.fixture
def make_remedy(db):
    def make(**fields) -> Remedy:
        n = next(_sequence)
        fields.setdefault("name", f"Remedy {n}")
        fields.setdefault("slug", f"remedy-{n}")
        fields.setdefault("status", "published")
        return Remedy.objects.create(**fields)

    return make


@pytest.fixture
def make_condition(db):
    def make(**fields) -> Condition:
        n = next(_sequence)
        fields.setdefault("name", f"Condition {n}")
        fields.setdefault("slug", f"condition-{n}")
        fields.setdefault("status", "published")
        return Condition.objects.create(**fields)

    return make


@pytest.fixture
def make_pair(db, make_remedy, make_condition):
    def make(**fields) -> Pair:
        if "remedy" not in fields:
            fields["remedy"] = make_remedy()
        if "condition" not in fields:
            fields["condition"] = make_condition()
        fields.setdefault("status", "published")
        return Pair.objects.create(**fields)

    return make


@pytest.fixture
def make_citation(db):
    def make(**fields) -> Citation:
        n = next(_sequence)
        fields.setdefault("key", f"source-{n}")
        fields.setdefault("source_name", f"Source {n}")
        return Citation.objects.create(**fields)

    return make


@pytest.fixture
def make_member(db):
    def make(username: str | None = None, password: str = "a-long-passphrase-1", **fields) -> User:
        username = username or f"member{next(_sequence)}"
        return User.objects.create_user(username=username, password=password, **fields)

    return make


@pytest.fixture
def editor(make_member) -> User:
    user = make_member("editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production serves hashed files from a manifest made by collectstatic; tests serve
    # the source files directly so they need no build step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_comment(db, make_member):
    """Post through the real service, as a member would."""
    from discussion.services import comment_create

    def make(target, *, author=None, body: str = "A comment", parent=None):
        return comment_create(
            author=author or make_member(),
            target=target,
            body=body,
            parent_id=parent.pk if parent else None,
        )

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters and double-submit tokens live in the cache; start each test clean.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a member; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _instant_signup(settings):
    # Tests fill the signup form in milliseconds; the bot check's timing is tested itself.
    settings.SIGNUP_MIN_SECONDS = 0


@pytest.fixture
def lively_seed(seed, make_member, make_comment):
    """The seed pair with a discussion (Markdown of every kind members may use), votes
    and an experience report, so every widget is on its pages. Returns the top-level
    comment; its reply has the next id."""
    from discussion.models import CommentVote
    from discussion.services import vote_toggle
    from remedies.models import ExperienceReport, PairVote

    alice, bob = make_member("alice"), make_member("bob")
    top = make_comment(
        seed, author=alice, body="MK-7 **worked** for me.\n\n1. daily\n2. food\n\n- no side effects"
    )
    reply = make_comment(
        seed,
        author=bob,
        parent=top,
        body="> worked\n\nWhich brand? `code` and [a link](https://example.org)",
    )
    make_comment(seed.remedy, author=bob, body="Watch the `warfarin` warning.")
    vote_toggle(vote_model=PairVote, target=seed, user=bob, value=1)
    vote_toggle(vote_model=CommentVote, target=reply, user=alice, value=-1)
    ExperienceReport.objects.create(
        pair=seed,
        user=alice,
        regimen=seed.regimens.first(),
        weeks=20,
        outcome="helped-a-little",
        side_effects="mild",
    )
    return top
