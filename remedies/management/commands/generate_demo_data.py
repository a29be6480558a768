"""Generate a demo data set of any size, deterministically and in bulk.

    manage.py generate_demo_data [--seed 1] [--remedies 50] [--conditions 20] [--pairs 500]
        [--members 1000] [--comments 20000] [--votes 100000] [--reports 5000]
        [--pair-comments [0,20,100,1000,10000]] [--reset | --reset-only]

Everything generated is recognisable, so `--reset` removes it and nothing else: slugs and
citation keys start with "demo-", members are "demo-member-1" … "demo-member-N" (password
DEMO_PASSWORD). The seed entry (Vitamin K2 for Osteoporosis) is never touched.

The same seed and sizes give the same data (names, texts, comment trees, authors, votes),
whatever the database; only ids and timestamps differ. Each part of the data draws from
its own random stream, so adding `--pair-comments` leaves the rest unchanged.

`--votes` counts the pair votes (about 30%) and the votes on the `--comments` comments;
the comments of the `--pair-comments` pairs (demo-bench-remedy for demo-bench-<N>, exactly
N comments each) carry their own votes on top, about two per comment.

Rows are written in bulk: bulk_create in large batches; comments and votes, by far the
largest tables, as plain rows with COPY on PostgreSQL (executemany elsewhere), comments
with ids reserved beforehand so that a reply names its parent and root in the same pass.
Every counter is computed in Python from the rows before they are written (vote counters
and Wilson scores of pairs and comments, Thread.comment_count), so counters equal rows
exactly. Markdown is rendered once per text of a small pool, and the pool is reused. The
whole run is one transaction; on PostgreSQL, ANALYZE follows it.
"""

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from conditions.models import Condition
from config.markup import render_editorial_markdown, render_markdown
from discussion.models import (
    Comment,
    CommentRevision,
    CommentVote,
    Flag,
    ModerationAction,
    Thread,
    wilson_lower_bound,
)
from remedies import search_index
from remedies.models import (
    Citation,
    DosingRegimen,
    EvidenceGrade,
    ExperienceReport,
    Pair,
    PairVote,
    Product,
    Remedy,
    Warning,
)
from remedies.models import Evidence as EvidenceItem

DEMO_PREFIX = "demo-"
MEMBER_PREFIX = "demo-member-"
DEMO_PASSWORD = "demo-password-1"
BENCH_REMEDY_SLUG = "demo-bench-remedy"
BENCH_CONDITION_PREFIX = "demo-bench-"
STANDARD_PAIR_COMMENTS = "0,20,100,1000,10000"
# A word every data set with remedies or texts contains (the benchmark searches for it).
SEARCH_WORD = "magnesium"

BATCH_SIZE = 5000
# Written as plain rows (COPY on PostgreSQL): every column, in this order.
COMMENT_FIELDS = (
    "id", "thread", "parent", "root", "depth", "author", "body", "body_html", "created_at",
    "upvotes", "downvotes", "score", "is_deleted", "edited_at", "flag_count", "moderation",
    "moderation_reason",
)  # fmt: skip
TOP_LEVEL_SHARE = 0.2
MAX_DEPTH = 8
PAIR_VOTE_SHARE = 0.3
REMEDY_THREAD_SHARE = 0.1
CITATIONS = 30
EDITORIAL_POOL = 80
COMMENT_POOL = 400
BENCH_VOTES_PER_COMMENT = 2.5
HISTORY_DAYS = 365

# --- vocabulary ----------------------------------------------------------------------

REMEDY_NAMES = [
    "Magnesium", "Turmeric", "Ashwagandha", "Ginger", "Garlic", "Zinc", "Vitamin D3",
    "Omega-3 fish oil", "Melatonin", "Valerian", "Chamomile", "Peppermint oil", "Probiotics",
    "Berberine", "Cinnamon", "Green tea extract", "Rhodiola", "St John's wort", "Saffron",
    "Echinacea", "Elderberry", "Ginkgo", "Panax ginseng", "Milk thistle", "Saw palmetto",
    "Coenzyme Q10", "Creatine", "Glucosamine", "Chondroitin", "Psyllium", "Lavender oil",
    "Lemon balm", "L-theanine", "5-HTP", "SAMe", "Black seed oil", "Boswellia", "Quercetin",
    "Resveratrol", "N-acetylcysteine", "Alpha-lipoic acid", "Vitamin C", "Vitamin B12",
    "Folate", "Iron bisglycinate", "Calcium citrate", "Cranberry", "Aloe vera", "Tart cherry",
    "Beetroot juice", "Spirulina", "Maca", "Fenugreek", "Holy basil", "Licorice root",
    "Hawthorn", "Butterbur", "Feverfew", "Inositol", "Taurine",
]  # fmt: skip
CONDITION_NAMES = [
    "Insomnia", "Anxiety", "Depression", "Osteoarthritis", "Rheumatoid arthritis",
    "Hypertension", "Type 2 diabetes", "High cholesterol", "Migraine", "Tension headache",
    "Irritable bowel syndrome", "Acid reflux", "Common cold", "Influenza", "Eczema",
    "Psoriasis", "Acne", "Menopausal symptoms", "Polycystic ovary syndrome", "Fatigue",
    "Muscle cramps", "Nausea", "Constipation", "Urinary tract infection",
    "Benign prostatic hyperplasia", "Cognitive decline", "ADHD", "Asthma",
    "Allergic rhinitis", "Gout", "Fibromyalgia", "Low back pain", "Heart failure",
    "Fatty liver disease", "Iron deficiency anemia", "Obesity", "Premenstrual syndrome",
    "Hair loss", "Dry eye", "Canker sores", "Jet lag", "Stress", "Seasonal affective disorder",
    "Chronic fatigue syndrome", "Restless legs", "Tinnitus", "Varicose veins", "Hemorrhoids",
    "Exercise recovery", "Wound healing",
]  # fmt: skip
SOURCES = [
    "BMJ", "The Lancet", "JAMA", "Cochrane Library", "Nutrients", "PLOS ONE",
    "Phytomedicine", "Journal of Clinical Sleep Medicine", "Arthritis Research & Therapy",
    "American Journal of Clinical Nutrition",
]  # fmt: skip
SUBJECTS = [
    "The extract", "A standardised preparation", "The active compound", "Daily use",
    "The powdered root", "A higher dose", "Long-term use", "Supplementation with magnesium",
    "The combined formula", "A twice-daily regimen",
]  # fmt: skip
VERBS = [
    "lowered", "reduced", "improved", "did not change", "modestly improved", "slightly reduced",
    "appeared to support", "had no clear effect on", "normalised", "worsened",
]  # fmt: skip
OBJECTS = [
    "markers of inflammation", "sleep latency", "systolic blood pressure", "fasting glucose",
    "self-reported fatigue", "pain scores", "LDL cholesterol", "bone turnover markers",
    "anxiety ratings", "symptom severity", "quality of life", "magnesium status",
    "cortisol levels", "gut symptoms", "headache frequency", "muscle soreness",
]  # fmt: skip
CONTEXTS = [
    "in small randomized trials", "in a meta-analysis of twelve trials", "in healthy adults",
    "in older adults", "over eight weeks", "compared with placebo", "in an open-label study",
    "in observational data", "at doses above 500 mg", "in people with low baseline intake",
]  # fmt: skip
HEADINGS = ["What studies used", "Who benefits most", "Open questions", "In practice"]
OUTCOMES = [
    ("Symptom severity", "the endpoint that matters most"), ("Quality of life", ""),
    ("Biomarkers", "surrogate outcomes"), ("Relapse rate", ""), ("Sleep quality", ""),
    ("Pain", "patient-reported"), ("Adverse events", ""),
]  # fmt: skip
DESIGNS = [
    "several RCTs and a meta-analysis", "two small RCTs", "one open-label trial",
    "observational cohorts", "a crossover trial", "laboratory and animal studies",
]  # fmt: skip
FORMS = [
    ("Capsule", "standardised extract"), ("Powder", "mixed into water"), ("Tablet", ""),
    ("Tincture", "alcohol-based"), ("Tea", "infusion"), ("Softgel", "with oil"),
    ("Gummy", ""), ("Liquid", "drops"),
]  # fmt: skip
DOSES = ["100 mg", "250 mg", "300–600 mg", "500 mg", "1 g", "2 capsules", "5 ml", "1 cup"]
FREQUENCIES = ["once daily", "twice daily", "three times daily", "at bedtime", "with meals"]
DURATIONS = ["4 weeks", "8 weeks", "12 weeks", "6 months", "as long as symptoms last"]
WITH_FOOD = ["with food", "on an empty stomach", "with a fatty meal", "either way"]
PAIR_WITH = ["vitamin D", "black pepper (piperine)", "nothing in particular", "calcium"]
WARNING_TITLES = [
    ("interaction", "May interact with blood thinners"),
    ("interaction", "Interacts with some antidepressants"),
    ("safety", "Not studied in pregnancy"), ("safety", "Can upset the stomach"),
    ("not-a-substitute", "Not a substitute for prescribed treatment"),
    ("other", "Quality varies between brands"),
]  # fmt: skip
SEVERITIES = ["major", "moderate", "minor"]
COMMENT_OPENERS = [
    "I tried this for", "My doctor suggested it for", "Been taking it for", "Stopped after",
    "Took it daily for", "My partner used it for", "Gave it a go for",
]  # fmt: skip
COMMENT_SPANS = ["two weeks", "a month", "three months", "half a year", "over a year"]
COMMENT_RESULTS = [
    "and noticed better sleep.", "and felt no difference at all.", "but the taste is awful.",
    "and my symptoms eased a little.", "and it helped more than I expected.",
    "and had an upset stomach the first week.", "with mixed results.",
    "and my blood tests improved.",
]  # fmt: skip
COMMENT_EXTRAS = [
    "Has anyone compared brands?", "Worth discussing with a pharmacist first.",
    "The trials cited above are small, so I am cautious.",
    "Which form did you take, capsule or powder?", "Thanks for sharing this.",
    "I would like to see a larger trial.", "Dose seems to matter a lot here.",
    "Magnesium made a bigger difference for me.",
]  # fmt: skip
REPORT_FORMS = ["Own blend", "Tea from the garden", "Powder from a local shop", "Gummies"]


@dataclass(frozen=True)
class Sizes:
    remedies: int = 50
    conditions: int = 20
    pairs: int = 500
    members: int = 1000
    comments: int = 20_000
    votes: int = 100_000
    reports: int = 5000
    pair_comments: tuple[int, ...] = ()


def parse_pair_comments(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        counts = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise CommandError("--pair-comments takes comma-separated counts, e.g. 0,100") from error
    if any(count < 0 for count in counts) or len(set(counts)) != len(counts):
        raise CommandError("--pair-comments counts must be distinct and not negative.")
    return counts


# --- bulk writing helpers --------------------------------------------------------------


def batched(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


@contextmanager
def timestamps_as_given(*model_classes: type[models.Model]):
    """Let bulk_create keep the created_at/updated_at we set instead of "now".

    auto_now/auto_now_add are switched off on the model fields for the duration (this
    process only) and restored afterwards, whatever happens.
    """
    saved = [
        (field, field.auto_now, field.auto_now_add)
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    for field, _, _ in saved:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys the table will not hand out itself, so rows that point at each
    other (a reply at its parent) can be built in Python and written in one pass."""
    if count == 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Write plain tuples: COPY on PostgreSQL, executemany in batches elsewhere."""
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(quote(field.column) for field in model_fields)
    table = quote(model._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        prepare = [
            (index, field)
            for index, field in enumerate(model_fields)
            if isinstance(field, models.DateTimeField | models.DateField)
        ]
        placeholders = ", ".join(["%s"] * len(model_fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for batch in batched(rows, BATCH_SIZE):
            if prepare:
                batch = [list(row) for row in batch]
                for row in batch:
                    for index, field in prepare:
                        row[index] = field.get_db_prep_save(row[index], connection)
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def delete_rows(queryset: models.QuerySet) -> int:
    """DELETE the queryset's rows in one statement: no per-object deletion, no signals
    (so no history rows either). Callers delete referencing rows first."""
    model = queryset.model
    quote = connection.ops.quote_name
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} "
            f"IN ({sql})",
            params,
        )
        return cursor.rowcount


def allocate(
    rng: random.Random, total: int, weights: list[float], cap: int | None, what: str
) -> list[int]:
    """Split `total` into one count per weight (about proportional), none above `cap`."""
    n = len(weights)
    if total > (cap * n if cap is not None else (total if n else 0)):
        raise CommandError(
            f"Too many {what}: {total:,} cannot go on {n:,} targets"
            + (f" of at most {cap:,} each (one per member)." if cap is not None else ".")
        )
    if total <= 0:
        return [0] * n
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    if cap is not None:
        counts = [min(count, cap) for count in counts]
    left = total - sum(counts)
    indexes = range(n)
    for _round in range(5):
        if not left:
            break
        for index in rng.choices(indexes, weights=weights, k=left):
            if cap is None or counts[index] < cap:
                counts[index] += 1
                left -= 1
    index = 0
    while left:  # the heavy targets are full: fill the others in turn
        if cap is None or counts[index] < cap:
            counts[index] += 1
            left -= 1
        index = (index + 1) % n
    return counts


# --- reset -----------------------------------------------------------------------------


def demo_querysets() -> dict[str, models.QuerySet]:
    user_model = get_user_model()
    remedies = Remedy.objects.filter(slug__startswith=DEMO_PREFIX)
    conditions = Condition.objects.filter(slug__startswith=DEMO_PREFIX)
    pairs = Pair.objects.filter(
        Q(remedy__slug__startswith=DEMO_PREFIX) | Q(condition__slug__startswith=DEMO_PREFIX)
    )
    threads = Thread.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Pair), object_id__in=pairs.values("pk"))
        | Q(
            content_type=ContentType.objects.get_for_model(Remedy),
            object_id__in=remedies.values("pk"),
        )
    )
    return {
        "remedies": remedies,
        "conditions": conditions,
        "pairs": pairs,
        "threads": threads,
        "comments": Comment.objects.filter(thread__in=threads),
        "members": user_model.objects.filter(username__startswith=MEMBER_PREFIX),
        "citations": Citation.objects.filter(key__startswith=DEMO_PREFIX),
    }


def demo_data_exists() -> bool:
    sets = demo_querysets()
    return any(sets[name].exists() for name in ("remedies", "conditions", "members", "citations"))


def delete_demo_data() -> dict[str, int]:
    """Remove everything generated; what demo members did on other pages goes too, and the
    counters there are recomputed from the rows that remain."""
    sets = demo_querysets()
    comments, threads, pairs = sets["comments"], sets["threads"], sets["pairs"]
    members = sets["members"]
    removed: dict[str, int] = {}

    ModerationAction.objects.filter(comment__in=comments).update(comment=None)
    ModerationAction.objects.filter(thread__in=threads).update(thread=None)
    removed["comment votes"] = delete_rows(CommentVote.objects.filter(target__in=comments))
    delete_rows(Flag.objects.filter(comment__in=comments))
    delete_rows(CommentRevision.objects.filter(comment__in=comments))
    removed["comments"] = delete_rows(comments)
    removed["threads"] = delete_rows(threads)
    removed["pair votes"] = delete_rows(PairVote.objects.filter(target__in=pairs))
    removed["experience reports"] = delete_rows(ExperienceReport.objects.filter(pair__in=pairs))
    removed["warnings"] = delete_rows(
        Warning.objects.filter(Q(pair__in=pairs) | Q(remedy__in=sets["remedies"]))
    )
    removed["evidence items"] = delete_rows(EvidenceItem.objects.filter(pair__in=pairs))
    removed["regimens"] = delete_rows(DosingRegimen.objects.filter(pair__in=pairs))
    delete_rows(Product.objects.filter(remedy__in=sets["remedies"]))
    removed["pairs"] = delete_rows(pairs)
    removed["remedies"] = delete_rows(sets["remedies"])
    removed["conditions"] = delete_rows(sets["conditions"])
    removed["citations"] = delete_rows(sets["citations"])

    # Demo members' traces on pages that are not demo pages (a demo run on the seed page).
    voted_pairs = set(PairVote.objects.filter(user__in=members).values_list("target", flat=True))
    voted_comments = set(
        CommentVote.objects.filter(user__in=members).values_list("target", flat=True)
    )
    flagged = set(Flag.objects.filter(user__in=members).values_list("comment", flat=True))
    touched_threads = set(
        Comment.objects.filter(author__in=members).values_list("thread", flat=True)
    )
    removed["members"] = members.delete()[1].get(get_user_model()._meta.label, 0)
    recount_votes(Pair, PairVote, voted_pairs)
    recount_votes(Comment, CommentVote, voted_comments)
    for comment in Comment.objects.filter(pk__in=flagged).annotate(flags_left=Count("flags")):
        Comment.objects.filter(pk=comment.pk).update(flag_count=comment.flags_left)
    for thread in Thread.objects.filter(pk__in=touched_threads):
        count = Comment.objects.filter(thread=thread, is_deleted=False).count()
        Thread.objects.filter(pk=thread.pk).update(comment_count=count)
    return removed


def recount_votes(target_model, vote_model, target_ids: set[int]) -> None:
    """One UPDATE per target, from the vote rows that remain."""
    if not target_ids:
        return
    tallies = {
        row["target"]: (row["up"], row["down"])
        for row in vote_model.objects.filter(target__in=target_ids)
        .values("target")
        .annotate(up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1)))
        .order_by()
    }
    for target_id in target_ids:
        up, down = tallies.get(target_id, (0, 0))
        target_model.objects.filter(pk=target_id).update(
            upvotes=up, downvotes=down, score=wilson_lower_bound(up, down)
        )


# --- generation ------------------------------------------------------------------------


def numbered_names(base: list[str], count: int, taken: set[str]) -> list[str]:
    """`count` distinct names: the list, then "Name (2)", "Name (3)"…, skipping names that
    real (not generated) content already uses."""
    names: list[str] = []
    index = 0
    while len(names) < count:
        name = base[index % len(base)]
        if index >= len(base):
            name += f" ({index // len(base) + 1})"
        if name not in taken:
            names.append(name)
        index += 1
    return names


class DemoData:
    """Builds the rows. Each part draws from its own random stream (see `rng`)."""

    def __init__(self, sizes: Sizes, seed: int, report):
        self.sizes = sizes
        self.seed = seed
        self.report = report  # callable(str)
        self.now = timezone.now().replace(microsecond=0)
        self.timings: list[tuple[str, float]] = []
        self.counts: dict[str, int] = {}

    def rng(self, part: str) -> random.Random:
        return random.Random(f"remedy-commons-demo:{self.seed}:{part}")

    @contextmanager
    def step(self, name: str):
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        self.timings.append((name, elapsed))
        self.report(f"  {name:<34} {elapsed:7.2f} s")

    def ago(self, rng: random.Random, days: float = HISTORY_DAYS) -> datetime:
        return self.now - timedelta(seconds=rng.random() * days * 86400)

    def generate(self) -> None:
        with self.step("citations and text pools"):
            self.make_citations()
            self.make_text_pools()
        with self.step("members"):
            self.make_members()
        with self.step("remedies and conditions"):
            self.make_remedies_and_conditions()
        with self.step("pairs and their pair votes (plan)"):
            self.make_pairs()
        with self.step("regimens, evidence, warnings"):
            self.make_pair_content()
        with self.step("threads and comments"):
            self.make_discussions()
        with self.step("votes"):
            self.write_votes()
        with self.step("experience reports"):
            self.make_reports()
        with self.step("search vectors"):
            search_index.index_everything()

    # citations and texts

    def make_citations(self) -> None:
        rng = self.rng("citations")
        citations = [
            Citation(
                key=f"demo-source-{n}",
                source_name=SOURCES[n % len(SOURCES)],
                title=f"{rng.choice(SUBJECTS)} and {rng.choice(OBJECTS)}: a trial",
                year=rng.randint(1995, 2025),
                doi=f"10.5555/demo.{n}",
            )
            for n in range(1, CITATIONS + 1)
        ]
        Citation.objects.bulk_create(citations, batch_size=BATCH_SIZE)
        self.citation_keys = [c.key for c in citations]
        self.counts["citations"] = len(citations)

    def sentence(self, rng: random.Random, cite: float = 0.5) -> str:
        text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        text += f" {rng.choice(CONTEXTS)}"
        if rng.random() < cite:
            text += f" [@{rng.choice(self.citation_keys)}]"
        return text + "."

    def editorial_text(self, rng: random.Random) -> str:
        paragraphs = [
            " ".join(self.sentence(rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 3))
        ]
        if rng.random() < 0.3:
            paragraphs.append(f"### {rng.choice(HEADINGS)}")
            paragraphs.append(
                "\n".join(f"- {self.sentence(rng, cite=0.3)}" for _ in range(rng.randint(2, 4)))
            )
        return "\n\n".join(paragraphs)

    def comment_text(self, rng: random.Random) -> str:
        text = (
            f"{rng.choice(COMMENT_OPENERS)} {rng.choice(COMMENT_SPANS)} "
            f"{rng.choice(COMMENT_RESULTS)}"
        )
        roll = rng.random()
        if roll < 0.15:
            text = f"> {self.sentence(rng, cite=0)}\n\n{text}"
        elif roll < 0.3:
            text += f"\n\n**Update:** {rng.choice(COMMENT_EXTRAS)}"
        elif roll < 0.4:
            text += "\n\n" + "\n".join(f"- {rng.choice(COMMENT_EXTRAS)}" for _ in range(2))
        elif roll < 0.45:
            text += " See [this summary](https://example.org/evidence) for details."
        if rng.random() < 0.5:
            text += f" {rng.choice(COMMENT_EXTRAS)}"
        return text

    def make_text_pools(self) -> None:
        rng = self.rng("texts")
        self.editorial = []
        for _ in range(EDITORIAL_POOL):
            text = self.editorial_text(rng)
            self.editorial.append((text, render_editorial_markdown(text)))
        self.comment_bodies = []
        for _ in range(COMMENT_POOL):
            text = self.comment_text(rng)
            self.comment_bodies.append((text, render_markdown(text)))

    def markdown(self, rng: random.Random, *fields: str) -> dict[str, str]:
        """Each field's Markdown and its rendered twin, drawn from the pool."""
        values = {}
        for field in fields:
            text, html = rng.choice(self.editorial)
            values |= {field: text, f"{field}_html": html}
        return values

    # members

    def make_members(self) -> None:
        rng = self.rng("members")
        count = self.sizes.members
        password = make_password(DEMO_PASSWORD) if count else ""
        user_model = get_user_model()
        members = [
            user_model(
                username=f"{MEMBER_PREFIX}{n}",
                email=f"{MEMBER_PREFIX}{n}@example.org",
                password=password,
                date_joined=self.ago(rng, HISTORY_DAYS * 2),
            )
            for n in range(1, count + 1)
        ]
        user_model.objects.bulk_create(members, batch_size=BATCH_SIZE)
        self.member_ids = [member.pk for member in members]
        self.counts["members"] = len(self.member_ids)

    def pick_member(self, rng: random.Random) -> int:
        """Some members are far more active than others."""
        return self.member_ids[int(len(self.member_ids) * rng.random() ** 2)]

    # remedies and conditions

    def make_remedies_and_conditions(self) -> None:
        rng = self.rng("catalogue")
        real_remedies = Remedy.objects.exclude(slug__startswith=DEMO_PREFIX)
        real_conditions = Condition.objects.exclude(slug__startswith=DEMO_PREFIX)
        remedies = [
            Remedy(
                name=name,
                slug=DEMO_PREFIX + slugify(name),
                status="published",
                summary=f"{name}: {self.sentence(rng, cite=0)}",
                **self.markdown(rng, *Remedy.markdown_fields),
            )
            for name in numbered_names(
                REMEDY_NAMES, self.sizes.remedies, set(real_remedies.values_list("name", flat=True))
            )
        ]
        conditions = [
            Condition(
                name=name,
                slug=DEMO_PREFIX + slugify(name),
                status="published",
                summary=f"{name}: {rng.choice(OBJECTS)} and how it affects daily life.",
                **self.markdown(rng, "description"),
            )
            for name in numbered_names(
                CONDITION_NAMES,
                self.sizes.conditions,
                set(real_conditions.values_list("name", flat=True)),
            )
        ]
        self.bench_remedy = None
        self.bench_conditions = []
        if self.sizes.pair_comments:
            self.bench_remedy = Remedy(
                name="Benchmark remedy",
                slug=BENCH_REMEDY_SLUG,
                status="published",
                summary="A generated remedy whose pages have a known amount of discussion.",
                **self.markdown(rng, *Remedy.markdown_fields),
            )
            self.bench_conditions = [
                Condition(
                    name=f"Benchmark condition with {n:,} comments",
                    slug=f"{BENCH_CONDITION_PREFIX}{n}",
                    status="published",
                    summary=f"A generated condition whose pair discussion has {n:,} comments.",
                    **self.markdown(rng, "description"),
                )
                for n in self.sizes.pair_comments
            ]
        all_remedies = remedies + ([self.bench_remedy] if self.bench_remedy else [])
        Remedy.objects.bulk_create(all_remedies, batch_size=BATCH_SIZE)
        Condition.objects.bulk_create(conditions + self.bench_conditions, batch_size=BATCH_SIZE)
        self.remedies, self.conditions = remedies, conditions
        products = [
            Product(
                remedy=remedy,
                order=i,
                name=f"{remedy.name} {form.lower()}",
                brand=rng.choice(["Acme Naturals", "Greenleaf", "Purely", "Vita Labs"]),
                form=f"{form}, {rng.choice(DOSES)}",
                description=rng.choice(COMMENT_EXTRAS),
            )
            for remedy in all_remedies
            for i, (form, _) in enumerate(rng.sample(FORMS, rng.randint(0, 2)))
        ]
        Product.objects.bulk_create(products, batch_size=BATCH_SIZE)
        self.counts["remedies"] = len(all_remedies)
        self.counts["conditions"] = len(conditions) + len(self.bench_conditions)
        self.counts["products"] = len(products)

    # pairs, with their votes planned first so the counters are right when written

    def make_pairs(self) -> None:
        rng = self.rng("pairs")
        combos = sorted(
            rng.sample(range(len(self.remedies) * len(self.conditions)), self.sizes.pairs)
        )
        width = len(self.conditions)
        pairs = [
            self.new_pair(rng, self.remedies[c // width], self.conditions[c % width])
            for c in combos
        ]
        self.bench_pairs = [
            (self.new_pair(rng, self.bench_remedy, condition), n)
            for condition, n in zip(self.bench_conditions, self.sizes.pair_comments, strict=True)
        ]
        every_pair = pairs + [pair for pair, _ in self.bench_pairs]

        votes = self.sizes.votes
        comment_votes = 0
        if self.sizes.comments:
            comment_votes = min(
                votes - round(votes * PAIR_VOTE_SHARE), self.sizes.comments * len(self.member_ids)
            )
        self.comment_vote_total = comment_votes
        vote_rng = self.rng("pair-votes")
        weights = [vote_rng.paretovariate(1.3) for _ in every_pair]
        per_pair = allocate(
            vote_rng, votes - comment_votes, weights, len(self.member_ids), "pair votes"
        )
        self.pair_votes: list[list[tuple[int, int, datetime]]] = []
        for pair, count in zip(every_pair, per_pair, strict=True):
            cast, up, down = self.cast_votes(vote_rng, count, self.now - timedelta(days=365))
            pair.upvotes, pair.downvotes, pair.score = up, down, wilson_lower_bound(up, down)
            self.pair_votes.append(cast)
        Pair.objects.bulk_create(every_pair, batch_size=BATCH_SIZE)
        self.pairs, self.every_pair = pairs, every_pair
        self.counts["pairs"] = len(every_pair)

    def new_pair(self, rng: random.Random, remedy: Remedy, condition: Condition) -> Pair:
        effectiveness = rng.choices(range(1, 8), weights=[1, 2, 3, 5, 4, 3, 2])[0]
        verdict = ["does not help", "helps a little", "may help", "seems to help"][
            min(3, (effectiveness - 1) // 2)
        ]
        return Pair(
            remedy=remedy,
            condition=condition,
            status="published",
            effectiveness=effectiveness,
            summary=f"{remedy.name} {verdict} for {condition.name.lower()}, on current evidence.",
            evidence_grade=rng.choice(EvidenceGrade.values) if rng.random() < 0.3 else "",
            last_reviewed=(self.ago(rng, 700).date() if rng.random() < 0.8 else None),
            **self.markdown(rng, "mechanism"),
        )

    def cast_votes(
        self, rng: random.Random, count: int, since: datetime
    ) -> tuple[list[tuple[int, int, datetime]], int, int]:
        """`count` votes on one target by distinct members, cast after `since`."""
        if not count:
            return [], 0, 0
        share_up = rng.betavariate(4, 1.6)
        span = max((self.now - since).total_seconds(), 1.0)
        cast, up = [], 0
        for index in rng.sample(range(len(self.member_ids)), count):
            value = 1 if rng.random() < share_up else -1
            up += value == 1
            cast.append(
                (self.member_ids[index], value, since + timedelta(seconds=rng.random() * span))
            )
        return cast, up, count - up

    def make_pair_content(self) -> None:
        rng = self.rng("pair-content")
        regimens, evidence, warnings = [], [], []
        for pair in self.every_pair:
            for order, (form, approach) in enumerate(rng.sample(FORMS, rng.randint(2, 3))):
                regimens.append(
                    DosingRegimen(
                        pair=pair,
                        order=order,
                        form=f"{form} ({pair.remedy.name})",
                        approach=approach,
                        dose=rng.choice(DOSES)
                        + (f" [@{rng.choice(self.citation_keys)}]" if rng.random() < 0.4 else ""),
                        frequency=rng.choice(FREQUENCIES),
                        duration=rng.choice(DURATIONS),
                        with_food=rng.choice(WITH_FOOD),
                        pair_with=rng.choice(PAIR_WITH) if rng.random() < 0.5 else "",
                        **self.markdown(rng, "details"),
                    )
                )
            for order, (outcome, note) in enumerate(rng.sample(OUTCOMES, rng.randint(1, 3))):
                evidence.append(
                    EvidenceItem(
                        pair=pair,
                        order=order,
                        outcome=outcome,
                        outcome_note=note,
                        intervention=f"{pair.remedy.name}, {rng.choice(DOSES)}",
                        study_designs=rng.choice(DESIGNS),
                        grade=rng.choice(EvidenceGrade.values),
                        **self.markdown(rng, "finding"),
                    )
                )
            for order in range(rng.randint(0, 2)):
                warnings.append(self.new_warning(rng, pair.remedy, pair, order))
        for remedy in self.remedies + ([self.bench_remedy] if self.bench_remedy else []):
            for order in range(rng.randint(1, 2)):
                warnings.append(self.new_warning(rng, remedy, None, order))
        DosingRegimen.objects.bulk_create(regimens, batch_size=BATCH_SIZE)
        EvidenceItem.objects.bulk_create(evidence, batch_size=BATCH_SIZE)
        Warning.objects.bulk_create(warnings, batch_size=BATCH_SIZE)
        self.regimens_by_pair: dict[int, list[int]] = {}
        for regimen in regimens:
            self.regimens_by_pair.setdefault(regimen.pair_id, []).append(regimen.pk)
        self.counts["regimens"] = len(regimens)
        self.counts["evidence items"] = len(evidence)
        self.counts["warnings"] = len(warnings)

    def new_warning(self, rng: random.Random, remedy: Remedy, pair, order: int) -> Warning:
        kind, title = rng.choice(WARNING_TITLES)
        return Warning(
            remedy=remedy,
            pair=pair,
            order=order,
            kind=kind,
            severity=rng.choice(SEVERITIES),
            title=title,
            **self.markdown(rng, "body"),
        )

    # discussions

    def make_discussions(self) -> None:
        rng = self.rng("discussions")
        pair_type = ContentType.objects.get_for_model(Pair)
        remedy_type = ContentType.objects.get_for_model(Remedy)
        total = self.sizes.comments
        # A tenth of the comments discuss remedies as a whole, the rest their pairs.
        on_remedies = round(total * REMEDY_THREAD_SHARE) if self.pairs else total
        targets = [(pair_type, pair) for pair in self.pairs]
        weights = [rng.paretovariate(1.2) for _ in targets]
        counts = allocate(rng, total - on_remedies, weights, None, "comments")
        remedy_weights = [rng.paretovariate(1.2) for _ in self.remedies]
        targets += [(remedy_type, remedy) for remedy in self.remedies]
        counts += allocate(rng, on_remedies, remedy_weights, None, "comments")
        general = [(t, n) for t, n in zip(targets, counts, strict=True) if n]
        bench = [((pair_type, pair), n) for pair, n in self.bench_pairs if n]

        threads = [
            Thread(content_type=content_type, object_id=target.pk, comment_count=n)
            for (content_type, target), n in general + bench
        ]
        Thread.objects.bulk_create(threads, batch_size=BATCH_SIZE)
        self.bench_thread_ids = [thread.pk for thread in threads[len(general) :]]
        self.counts["threads"] = len(threads)

        # The shape of every discussion first, then votes (which favour shallow comments),
        # then the rows, written with counters that match the votes.
        ids = iter(reserve_ids(Comment, total + sum(n for _, n in bench)))
        shape_rng = self.rng("comment-trees")
        planned = [
            self.plan_tree(shape_rng, thread.pk, n, ids)
            for thread, (_, n) in zip(threads, general + bench, strict=True)
        ]
        general_plan = [c for tree in planned[: len(general)] for c in tree]
        bench_plan = [c for tree in planned[len(general) :] for c in tree]
        vote_rng = self.rng("comment-votes")
        weights = [vote_rng.paretovariate(1.5) / (1 + c[4]) for c in general_plan]
        general_votes = allocate(
            vote_rng, self.comment_vote_total, weights, len(self.member_ids), "comment votes"
        )
        bench_rng = self.rng("bench-comment-votes")
        bench_votes = [
            min(len(self.member_ids), int(bench_rng.expovariate(1 / BENCH_VOTES_PER_COMMENT)))
            for _ in bench_plan
        ]
        work = chain(
            ((c, n, vote_rng) for c, n in zip(general_plan, general_votes, strict=True)),
            ((c, n, bench_rng) for c, n in zip(bench_plan, bench_votes, strict=True)),
        )
        self.comment_votes: list[tuple[int, int, int, datetime]] = []
        bodies = self.comment_bodies

        def rows():
            for (pk, thread_id, parent, root, depth, author, body, created), n, rng in work:
                cast, up, down = self.cast_votes(rng, n, created)
                self.comment_votes += [(user, pk, value, at) for user, value, at in cast]
                text, html = bodies[body]
                row = (pk, thread_id, parent, root, depth, author, text, html, created)
                yield (*row, up, down, wilson_lower_bound(up, down), False, None, 0, "", "")

        insert_rows(Comment, COMMENT_FIELDS, rows())
        self.counts["comments"] = len(general_plan) + len(bench_plan)
        self.counts["comments on benchmark pairs"] = len(bench_plan)

    def plan_tree(self, rng: random.Random, thread_id: int, n: int, ids: Iterator[int]):
        """One discussion of `n` comments: about a fifth top-level, the rest replies up to
        MAX_DEPTH deep, each reply posted after its parent."""
        start = self.ago(rng) if n > 1 else self.ago(rng, 60)
        span = (self.now - start).total_seconds()
        times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
        tops = max(1, round(n * TOP_LEVEL_SHARE))
        top_positions = {0, *rng.sample(range(1, n), tops - 1)} if n > 1 else {0}
        comments = []
        open_indexes = []  # comments that can still take a reply (depth < MAX_DEPTH)
        for position in range(n):
            pk = next(ids)
            if position in top_positions:
                parent, root, depth = None, pk, 0
            else:
                previous = comments[-1]
                if previous[4] < MAX_DEPTH and rng.random() < 0.45:
                    chosen = previous  # the conversation goes on below the latest comment
                else:
                    chosen = comments[rng.choice(open_indexes)]
                parent, root, depth = chosen[0], chosen[3], chosen[4] + 1
            if depth < MAX_DEPTH:
                open_indexes.append(position)
            comments.append(
                (
                    pk,
                    thread_id,
                    parent,
                    root,
                    depth,
                    self.pick_member(rng),
                    rng.randrange(len(self.comment_bodies)),
                    times[position],
                )
            )
        return comments

    def write_votes(self) -> None:
        pair_rows = (
            (user, pair.pk, value, at)
            for pair, cast in zip(self.every_pair, self.pair_votes, strict=True)
            for user, value, at in cast
        )
        fields = ("user", "target", "value", "created_at")
        self.counts["pair votes"] = insert_rows(PairVote, fields, pair_rows)
        self.counts["comment votes"] = insert_rows(CommentVote, fields, self.comment_votes)

    def make_reports(self) -> None:
        rng = self.rng("reports")
        members, pairs = self.member_ids, self.every_pair
        if self.sizes.reports > len(members) * len(pairs):
            raise CommandError("More reports than members × pairs.")
        reports = []
        outcomes = ExperienceReport.Outcome.values
        for combo in rng.sample(range(len(members) * len(pairs)), self.sizes.reports):
            pair = pairs[combo % len(pairs)]
            regimens = self.regimens_by_pair.get(pair.pk, [])
            regimen = rng.choice(regimens) if regimens and rng.random() < 0.85 else None
            good = pair.effectiveness / 7
            created = self.ago(rng)
            reports.append(
                ExperienceReport(
                    pair=pair,
                    user_id=members[combo // len(pairs)],
                    regimen_id=regimen,
                    other_form="" if regimen else rng.choice(REPORT_FORMS),
                    other_dose="" if regimen else rng.choice(DOSES),
                    weeks=min(520, max(1, int(rng.expovariate(1 / 10)) + 1)),
                    outcome=rng.choices(outcomes, weights=[good, good + 0.3, 1, 1.2 - good])[0],
                    side_effects=rng.choices(["none", "mild", "stopped"], weights=[7, 2, 1])[0],
                    clinician_involved=rng.random() < 0.3,
                    created_at=created,
                    updated_at=created,
                )
            )
        with timestamps_as_given(ExperienceReport):
            ExperienceReport.objects.bulk_create(reports, batch_size=BATCH_SIZE)
        self.counts["experience reports"] = len(reports)


class Command(BaseCommand):
    help = (
        "Generate a deterministic demo data set of any size (slugs demo-…, members "
        f"demo-member-N with password {DEMO_PASSWORD!r}); --reset replaces an earlier one."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--seed", type=int, default=1)
        for name in ("remedies", "conditions", "pairs", "members", "comments", "votes", "reports"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument(
            "--pair-comments",
            nargs="?",
            const=STANDARD_PAIR_COMMENTS,
            default=None,
            metavar="N,N,…",
            help="Also create demo-bench-remedy for demo-bench-<N>, one pair per N, whose "
            f"discussion has exactly N comments (without a value: {STANDARD_PAIR_COMMENTS}).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--reset", action="store_true", help="Delete earlier demo data first.")
        group.add_argument(
            "--reset-only", action="store_true", help="Delete the demo data and stop."
        )

    def handle(self, *args, **options):
        sizes = Sizes(
            **{
                name: options[name]
                for name in ("remedies", "conditions", "pairs", "members", "comments")
                + ("votes", "reports")
            },
            pair_comments=parse_pair_comments(options["pair_comments"]),
        )
        self.check_sizes(sizes)
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys as each statement ends rather than all at commit, so
                # the time each step reports includes its checks.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if options["reset"] or options["reset_only"]:
                removed = delete_demo_data()
                self.stdout.write(
                    f"Removed demo data in {time.perf_counter() - started:.1f} s: "
                    + ", ".join(f"{n:,} {name}" for name, n in removed.items())
                )
                if options["reset_only"]:
                    return
            elif demo_data_exists():
                raise CommandError("Demo data is already there: add --reset to replace it.")
            self.stdout.write(f"Generating demo data (seed {options['seed']})…")
            data = DemoData(sizes, options["seed"], self.stdout.write)
            data.generate()
            commit_started = time.perf_counter()
        data.timings.append(("commit", time.perf_counter() - commit_started))
        self.stdout.write(f"  {'commit':<34} {data.timings[-1][1]:7.2f} s")
        if connection.vendor == "postgresql":
            with data.step("ANALYZE (planner statistics)"), connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data generated in {elapsed:.1f} s:"))
        for name, count in data.counts.items():
            self.stdout.write(f"  {count:>10,} {name}")
        total_votes = data.counts.get("pair votes", 0) + data.counts.get("comment votes", 0)
        self.stdout.write(f"  {total_votes:>10,} votes in all")

    def check_sizes(self, sizes: Sizes) -> None:
        for name in ("remedies", "conditions", "pairs", "members", "comments", "votes"):
            if getattr(sizes, name) < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if sizes.reports < 0:
            raise CommandError("--reports cannot be negative.")
        if sizes.pairs > sizes.remedies * sizes.conditions:
            raise CommandError("--pairs cannot exceed --remedies × --conditions.")
        needs_members = sizes.comments or sizes.votes or sizes.reports or sizes.pair_comments
        if needs_members and not sizes.members:
            raise CommandError("Comments, votes and reports need --members.")
        if sizes.comments and not (sizes.pairs or sizes.remedies):
            raise CommandError("Comments need pairs or remedies to be posted on.")
        if sizes.votes and not (sizes.pairs or sizes.pair_comments):
            raise CommandError("Votes need pairs (pair votes are about 30% of --votes).")
        if sizes.reports and not (sizes.pairs or sizes.pair_comments):
            raise CommandError("Experience reports need pairs.")
