"""Editors curate in Django admin; other members cannot."""

import pytest
from django.contrib.auth.models import Group

from remedies.models import Pair, Remedy


def inline_management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_editors_group_may_change_content_but_not_users(db):
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))

    assert {
        "add_remedy",
        "change_remedy",
        "add_pair",
        "change_pair",
        "add_condition",
        "change_evidence",
        "change_warning",
        "add_citation",
        "add_product",
    } <= codenames
    assert not {"add_user", "change_user", "change_group"} & codenames


def test_editor_creates_a_remedy_with_a_pair_in_admin(client, editor, make_condition):
    condition = make_condition(name="Insomnia", slug="insomnia")
    client.force_login(editor)

    response = client.post(
        "/admin/remedies/remedy/add/",
        {
            "name": "Magnesium",
            "slug": "magnesium",
            "status": "published",
            "summary": "A mineral.",
            "what_it_is": "A **mineral**.",
            "how_it_works": "",
            "why_important": "",
            "considerations": "",
            **inline_management("pairs", 1),
            "pairs-0-condition": str(condition.pk),
            "pairs-0-effectiveness": "5",
            "pairs-0-status": "published",
            "pairs-0-summary": "May help.",
            **inline_management("warnings"),
            **inline_management("products"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    remedy = Remedy.objects.get(slug="magnesium")
    assert remedy.what_it_is_html == "<p>A <strong>mineral</strong>.</p>"
    assert Pair.objects.filter(remedy=remedy, condition=condition).exists()
    assert client.get("/remedies/magnesium/insomnia/").status_code == 200


@pytest.mark.parametrize("url", ["/admin/", "/admin/remedies/remedy/add/"])
def test_member_who_is_not_staff_cannot_use_admin(client, make_member, url):
    client.force_login(make_member())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_member_who_is_not_staff_cannot_create_a_remedy(client, make_member):
    client.force_login(make_member())

    client.post("/admin/remedies/remedy/add/", {"name": "Sneaky", "slug": "sneaky"})

    assert not Remedy.objects.filter(slug="sneaky").exists()


def test_unknown_citation_key_is_refused_in_admin(client, editor, make_pair):
    pair = make_pair()
    client.force_login(editor)
    response = client.get(f"/admin/remedies/pair/{pair.pk}/change/")
    assert response.status_code == 200

    response = client.post(
        f"/admin/remedies/pair/{pair.pk}/change/",
        {
            "remedy": pair.remedy_id,
            "condition": pair.condition_id,
            "status": "published",
            "effectiveness": "5",
            "summary": "",
            "mechanism": "Because [@no-such-source].",
            **inline_management("regimens"),
            **inline_management("evidence_items"),
            **inline_management("warnings"),
        },
    )

    assert response.status_code == 200
    assert "Unknown citation key: no-such-source." in response.content.decode()
    pair.refresh_from_db()
    assert pair.mechanism == ""
