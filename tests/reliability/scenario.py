"""The concurrency scenario: members voting and commenting at once through nginx, then
an audit of the database against what the site acknowledged.

A write is *acknowledged* when the site answered it 2xx/3xx (and not by sending the
member to the login page); *rejected* when it answered 4xx (the site's contract: nothing
was written); *unknown* otherwise (5xx, 502 from nginx, no answer): it may or may not
have been applied, and the audit accepts both.
"""

from __future__ import annotations

import re
import secrets
import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from random import Random

import psycopg
import requests

from tests.reliability.members import Member

REMEDY_SLUG = "vitamin-k2"
CONDITION_SLUG = "osteoporosis"
PAIR_PATH = f"/remedies/{REMEDY_SLUG}/{CONDITION_SLUG}/"
WRITE_KINDS = ("comment", "reply", "pair_vote", "comment_vote")
NEW_COMMENT_ID = re.compile(r'<li class="comment" id="comment-(\d+)"')
LOCATION_COMMENT_ID = re.compile(r"#comment-(\d+)$")


def toggle(state: int, value: int) -> int:
    """A vote's effect: a first vote counts, the same again removes it, the other switches."""
    return 0 if state == value else value


@dataclass
class Outcome:
    kind: str  # a WRITE_KINDS entry, or "read"
    member_id: int
    target: int = 0  # the pair (pair_vote), comment (comment_vote) or parent (reply)
    value: int = 0  # +1 / -1 for votes
    token: str = ""  # unique text in a comment's body
    status: int | None = None
    error: str = ""
    started: float = 0.0
    ended: float = 0.0
    comment_id: int | None = None  # the new comment's id, as the answer gave it
    login_redirect: bool = False

    @property
    def is_write(self) -> bool:
        return self.kind in WRITE_KINDS

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 400 and not self.login_redirect

    @property
    def rejected(self) -> bool:
        return self.status is not None and 400 <= self.status < 500

    @property
    def unknown(self) -> bool:
        return not self.acknowledged and not self.rejected and not self.login_redirect

    @property
    def label(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        return str(self.status)

    def in_flight_during(self, begun: float, ended: float) -> bool:
        """Sent before `ended` and answered after `begun`."""
        return self.started <= ended and self.ended >= begun


@dataclass
class Report:
    outcomes: list[Outcome]
    seconds: float
    events: dict[str, tuple[float, float]] = field(default_factory=dict)
    event_errors: dict[str, str] = field(default_factory=dict)
    started: float = 0.0

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.is_write]

    def statuses(self) -> Counter:
        return Counter(o.label for o in self.outcomes)

    def errors(self) -> Counter:
        return Counter(o.label for o in self.outcomes if not (o.acknowledged or o.rejected))

    def server_errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is None or o.status >= 500]

    def latency_ms(self, q: float) -> float:
        durations = sorted(o.ended - o.started for o in self.outcomes)
        if not durations:
            return 0.0
        return 1000 * durations[min(len(durations) - 1, int(q * len(durations)))]


class Workload:
    """`members` vote and comment on the seed pair for `seconds` (and at most
    `max_per_member` requests each), each from its own thread, without pause."""

    def __init__(
        self,
        base_url: str,
        members: list[Member],
        pair_id: int,
        seconds: float,
        *,
        seed: int = 1,
        max_per_member: int = 5000,
        pause: float = 0.0,
    ):
        self.base_url = base_url
        self.members = members
        self.pair_id = pair_id
        self.seconds = seconds
        self.seed = seed
        self.max_per_member = max_per_member
        self.pause = pause  # mean seconds a member waits between two requests
        self.run_id = secrets.token_hex(4)
        self.comment_path = f"/discussions/remedies.pair/{pair_id}/comments/"
        self._pool: list[int] = []  # comments acknowledged so far: vote and reply targets
        self._pool_lock = threading.Lock()
        self._sequence = 0

    # --- one request each -------------------------------------------------------------

    def _token(self, member: Member) -> str:
        with self._pool_lock:
            self._sequence += 1
            return f"rt{self.run_id}x{member.user_id}x{self._sequence}"

    def _pick_comment(self, rng: Random) -> int | None:
        with self._pool_lock:
            return rng.choice(self._pool) if self._pool else None

    def _send(self, outcome: Outcome, request: Callable[[], requests.Response]) -> Outcome:
        outcome.started = time.monotonic()
        try:
            response = request()
        except requests.RequestException as error:
            outcome.error = type(error).__name__
            outcome.ended = time.monotonic()
            return outcome
        outcome.ended = time.monotonic()
        outcome.status = response.status_code
        location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
        outcome.login_redirect = "/accounts/login/" in location
        if outcome.kind in {"comment", "reply"} and outcome.acknowledged:
            found = LOCATION_COMMENT_ID.search(location) or NEW_COMMENT_ID.search(response.text)
            if found:
                outcome.comment_id = int(found.group(1))
                with self._pool_lock:
                    self._pool.append(outcome.comment_id)
        return outcome

    def comment(self, member: Member, rng: Random, parent: int | None = None) -> Outcome:
        token = self._token(member)
        kind = "reply" if parent else "comment"
        outcome = Outcome(kind, member.user_id, target=parent or 0, token=token)
        data = {
            "body": f"Reliability note {token}: took it for {rng.randint(1, 52)} weeks.",
            "submission": str(uuid.uuid4()),
            "next": f"{PAIR_PATH}#discussion-pair-{self.pair_id}",
        }
        if parent:
            data["parent"] = str(parent)
        htmx = rng.random() < 0.5
        return self._send(outcome, lambda: member.post(self.comment_path, data, htmx=htmx))

    def pair_vote(self, member: Member, rng: Random) -> Outcome:
        value = rng.choice((1, -1))
        outcome = Outcome("pair_vote", member.user_id, target=self.pair_id, value=value)
        data = {"value": "up" if value == 1 else "down", "next": f"{PAIR_PATH}#community-vote"}
        htmx = rng.random() < 0.5
        return self._send(outcome, lambda: member.post(f"{PAIR_PATH}vote/", data, htmx=htmx))

    def comment_vote(self, member: Member, rng: Random, comment_id: int) -> Outcome:
        value = rng.choice((1, -1))
        outcome = Outcome("comment_vote", member.user_id, target=comment_id, value=value)
        data = {"value": "up" if value == 1 else "down", "next": PAIR_PATH}
        htmx = rng.random() < 0.5
        path = f"/comments/{comment_id}/vote/"
        return self._send(outcome, lambda: member.post(path, data, htmx=htmx))

    def read(self, member: Member, rng: Random) -> Outcome:
        outcome = Outcome("read", member.user_id)
        if rng.random() < 0.5:
            return self._send(outcome, lambda: member.get(PAIR_PATH))
        path = f"/discussions/remedies.pair/{self.pair_id}/?sort={rng.choice(['new', 'best'])}"
        return self._send(outcome, lambda: member.get(path, htmx=True))

    # --- the run ----------------------------------------------------------------------

    def _member_loop(self, index: int, member: Member, deadline: float) -> list[Outcome]:
        rng = Random(self.seed * 100_003 + index)
        outcomes = []
        while time.monotonic() < deadline and len(outcomes) < self.max_per_member:
            roll = rng.random()
            comment_id = self._pick_comment(rng)
            if roll < 0.10:
                outcomes.append(self.read(member, rng))
            elif roll < 0.30:
                outcomes.append(self.pair_vote(member, rng))
            elif roll < 0.60 and comment_id:
                outcomes.append(self.comment_vote(member, rng, comment_id))
            elif roll < 0.82 or not comment_id:
                outcomes.append(self.comment(member, rng))
            else:
                outcomes.append(self.comment(member, rng, parent=comment_id))
            if self.pause:
                time.sleep(rng.uniform(0, 2 * self.pause))
        return outcomes

    def run(self, events: list[tuple[float, str, Callable[[], object]]] = ()) -> Report:
        """Run the members; meanwhile call each event's function `at` seconds after the
        start, one after the other in their own thread (their times are in the report)."""
        started = time.monotonic()
        deadline = started + self.seconds
        timings: dict[str, tuple[float, float]] = {}
        event_errors: dict[str, str] = {}

        def run_events():
            for at, name, function in sorted(events, key=lambda e: e[0]):
                delay = started + at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                begun = time.monotonic()
                try:
                    function()
                except Exception as error:  # noqa: BLE001 - reported by the test
                    event_errors[name] = repr(error)
                timings[name] = (begun, time.monotonic())

        event_thread = threading.Thread(target=run_events, daemon=True)
        event_thread.start()
        with ThreadPoolExecutor(max_workers=len(self.members)) as pool:
            futures = [
                pool.submit(self._member_loop, i, member, deadline)
                for i, member in enumerate(self.members)
            ]
            outcomes = [o for future in futures for o in future.result()]
        event_thread.join(timeout=120)  # events are short: a kill, a restart
        return Report(
            outcomes=sorted(outcomes, key=lambda o: o.started),
            seconds=time.monotonic() - started,
            events=timings,
            event_errors=event_errors,
            started=started,
        )


# --- the audit ------------------------------------------------------------------------


def vote_snapshot(connection: psycopg.Connection, member_ids: list[int]) -> dict:
    """Each member's current votes: {(kind, member, target): value}."""
    states = {}
    with connection.cursor() as cursor:
        for kind, table in (
            ("pair_vote", "remedies_pairvote"),
            ("comment_vote", "discussion_commentvote"),
        ):
            cursor.execute(
                f"SELECT user_id, target_id, value FROM {table} WHERE user_id = ANY(%s)",
                (member_ids,),
            )
            for user_id, target_id, value in cursor.fetchall():
                states[(kind, user_id, target_id)] = value
    return states


@dataclass
class Audit:
    problems: list[str]
    acknowledged: int
    found: int
    unknown: int
    unknown_applied: int
    comments_acknowledged: int
    comments_found: int
    votes_acknowledged: int
    votes_found: int

    def summary(self) -> str:
        return (
            f"writes acknowledged {self.acknowledged}, found in the database {self.found} "
            f"(comments {self.comments_found}/{self.comments_acknowledged}, "
            f"votes {self.votes_found}/{self.votes_acknowledged}); "
            f"unknown outcome {self.unknown} (of which applied: {self.unknown_applied})"
        )


def audit(connection: psycopg.Connection, report: Report, before: dict, run_id: str) -> Audit:
    """Compare the database with the acknowledged writes; list every discrepancy."""
    from discussion.models import wilson_lower_bound

    problems: list[str] = []
    writes = report.writes

    # Comments: by their unique token.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, parent_id, body FROM discussion_comment WHERE body LIKE %s",
            (f"%rt{run_id}x%",),
        )
        rows = cursor.fetchall()
    stored: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for comment_id, parent_id, body in rows:
        for token in re.findall(rf"rt{run_id}x\d+x\d+", body):
            stored[token].append((comment_id, parent_id))
    sent = {o.token: o for o in writes if o.token}
    comments_ack = comments_found = unknown_applied = 0
    for token, outcome in sent.items():
        copies = stored.get(token, [])
        if len(copies) > 1:
            problems.append(f"comment {token} stored {len(copies)} times")
        if outcome.acknowledged:
            comments_ack += 1
            if not copies:
                problems.append(f"acknowledged comment {token} (HTTP {outcome.status}) missing")
                continue
            comments_found += 1
            comment_id, parent_id = copies[0]
            if outcome.comment_id and outcome.comment_id != comment_id:
                problems.append(f"{token}: answered id {outcome.comment_id}, stored {comment_id}")
            if outcome.kind == "reply" and parent_id != outcome.target:
                problems.append(f"reply {token} stored under {parent_id}, not {outcome.target}")
        elif outcome.rejected and copies:
            problems.append(f"rejected comment {token} (HTTP {outcome.status}) was stored")
        elif outcome.unknown and copies:
            unknown_applied += 1
    for token in set(stored) - set(sent):
        problems.append(f"comment {token} stored but never sent")

    # Votes: each member's own sequence, applied one after the other.
    after = vote_snapshot(
        connection, sorted({m for _, m, _ in before} | {o.member_id for o in writes})
    )
    sequences: dict[tuple, list[Outcome]] = defaultdict(list)
    for outcome in writes:
        if outcome.kind in {"pair_vote", "comment_vote"}:
            sequences[(outcome.kind, outcome.member_id, outcome.target)].append(outcome)
    votes_ack = votes_found = 0
    for key, sequence in sequences.items():
        possible = {before.get(key, 0)}
        for outcome in sorted(sequence, key=lambda o: o.started):
            if outcome.acknowledged:
                possible = {toggle(s, outcome.value) for s in possible}
            elif outcome.unknown:
                possible |= {toggle(s, outcome.value) for s in possible}
        acknowledged = sum(o.acknowledged for o in sequence)
        votes_ack += acknowledged
        final = after.get(key, 0)
        if final in possible:
            votes_found += acknowledged
        else:
            kind, member, target = key
            history = [(o.value, o.label) for o in sequence]
            problems.append(
                f"{kind} of member {member} on {target}: stored {final}, expected one of "
                f"{sorted(possible)} from {before.get(key, 0)} and {history}"
            )

    # Counters equal the rows, everywhere.
    with connection.cursor() as cursor:
        for table, votes in (
            ("discussion_comment", "discussion_commentvote"),
            ("remedies_pair", "remedies_pairvote"),
        ):
            cursor.execute(
                f"""
                SELECT t.id, t.upvotes, t.downvotes, t.score,
                       count(v.id) FILTER (WHERE v.value = 1),
                       count(v.id) FILTER (WHERE v.value = -1)
                FROM {table} t LEFT JOIN {votes} v ON v.target_id = t.id
                GROUP BY t.id
                """
            )
            for pk, up, down, score, rows_up, rows_down in cursor.fetchall():
                if (up, down) != (rows_up, rows_down):
                    problems.append(
                        f"{table} {pk}: counters {up} up/{down} down, rows {rows_up}/{rows_down}"
                    )
                elif abs(score - wilson_lower_bound(up, down)) > 1e-9:
                    problems.append(f"{table} {pk}: score {score} is not the Wilson bound")
        cursor.execute(
            """
            SELECT t.id, t.comment_count, count(c.id) FILTER (WHERE NOT c.is_deleted)
            FROM discussion_thread t LEFT JOIN discussion_comment c ON c.thread_id = t.id
            GROUP BY t.id
            """
        )
        for pk, counted, rows_count in cursor.fetchall():
            if counted != rows_count:
                problems.append(f"thread {pk}: comment_count {counted}, comments {rows_count}")

    unknown = sum(o.unknown for o in writes)
    return Audit(
        problems=problems,
        acknowledged=comments_ack + votes_ack,
        found=comments_found + votes_found,
        unknown=unknown,
        unknown_applied=unknown_applied,
        comments_acknowledged=comments_ack,
        comments_found=comments_found,
        votes_acknowledged=votes_ack,
        votes_found=votes_found,
    )


def summary(report: Report, result: Audit | None = None, title: str = "run") -> str:
    statuses = report.statuses()
    errors = report.errors()
    kinds = Counter(o.kind for o in report.outcomes)
    durations = [o.ended - o.started for o in report.outcomes] or [0.0]
    lines = [
        f"== {title}: {len(report.outcomes)} requests in {report.seconds:.1f} s "
        f"({len(report.outcomes) / max(report.seconds, 1e-9):.1f}/s) by "
        f"{len({o.member_id for o in report.outcomes})} members",
        "   by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        "   by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())),
        "   errors by status: "
        + (", ".join(f"{s}: {n}" for s, n in sorted(errors.items())) or "none"),
        f"   latency ms: p50 {report.latency_ms(0.5):.0f}, p95 {report.latency_ms(0.95):.0f}, "
        f"p99 {report.latency_ms(0.99):.0f}, "
        f"mean {1000 * statistics.fmean(durations):.0f}",
    ]
    if result is not None:
        lines.append("   " + result.summary())
        lines.append(f"   audit problems: {len(result.problems)}")
    for name, (begun, ended) in report.events.items():
        lines.append(
            f"   event {name}: at {begun - report.started:.2f} s, took {ended - begun:.2f} s"
            + (f" — {report.event_errors[name]}" if name in report.event_errors else "")
        )
    return "\n".join(lines)
