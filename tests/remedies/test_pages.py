"""The seed entry's pages, read as a visitor reads them."""

import re

import pytest

from tests.htmlcheck import assert_no_active_content, start_tags

SEED_SOURCES = [
    "MDPI",
    "Internet Archive",
    "Rad AR",
    "Oxford Academic",
    "SpringerLink",
    "BioMed Central",
    "Office of Dietary Supplements",
    "ScienceDirect",
]


def text_of(response) -> str:
    """The page's visible text with tags removed and spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").split())


def test_pair_page_shows_every_seed_section_in_order(client, seed):
    response = client.get("/remedies/vitamin-k2/osteoporosis/")

    assert response.status_code == 200
    text = text_of(response)
    sections = [
        "Vitamin K2",
        "Specifically for Osteoporosis",
        "0 up • 0 down",
        "Why it works for Osteoporosis",
        "How to use for Osteoporosis",
        "Scientific Evidence for Osteoporosis",
        "Fracture outcomes",
        "Bone density/biomarkers",
        "Specific Warnings for Osteoporosis",
        "References",
        "General Information (All Ailments)",
        "What It Is",
        "How It Works",
        "Why It’s Important",
        "Considerations",
        "Helps with these conditions",
        "Detailed Information by Condition",
        "Community Discussion",
        "Discussion for Osteoporosis",
        "Remedy Statistics",
        "Recommended Products",
        "No recommended products added yet.",
    ]
    positions = [text.find(section) for section in sections]
    assert -1 not in positions, [s for s, p in zip(sections, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_pair_page_shows_the_seed_key_facts(client, seed):
    text = text_of(client.get("/remedies/vitamin-k2/osteoporosis/"))

    for fact in [
        "MK-4 (menatetrenone) — pharmacologic dosing (Japan)",
        "45 mg/day total",
        "commonly 15 mg three times daily",
        "typically 24–36 months in trials",
        "MK-7 — nutritional dosing (supplements)",
        "180 µg/day",
        "3 years in postmenopausal women",
        "Diet sources",
        "natto (very high in MK-7)",
        "several Japanese RCTs and meta-analyses",
        "fracture reduction with MK-7 has not been demonstrated",
        "Strong interaction with vitamin K antagonists (VKAs)",
        "warfarin, acenocoumarol, phenprocoumon",
        "10–45 µg/day",
        "Not a substitute for proven therapies",
        "No comments yet. Be the first to start the conversation!",
        "Talk specifically about using Vitamin K2 for Osteoporosis.",
        "Share results, tips, and questions about Vitamin K2.",
    ]:
        assert fact in text, fact
    references = text[text.find("References") : text.find("General Information")]
    for source in SEED_SOURCES:
        assert source in references, source


def test_pair_page_numbers_citations_and_links_them_to_the_reference_list(client, seed):
    html = client.get("/remedies/vitamin-k2/osteoporosis/").content.decode()

    # The first source cited (MDPI, in "Why it works") is reference 1, and so on.
    assert re.search(r'<li id="ref-1" value="1">\s*MDPI', html)
    assert re.search(r'<li id="ref-2" value="2">\s*Internet Archive', html)
    assert html.count('href="#ref-1"') == 2  # mechanism and bone-density evidence
    assert "[@" not in html  # no raw markers left


def test_remedy_page_shows_general_information_and_links_to_the_pair(client, seed):
    response = client.get("/remedies/vitamin-k2/")

    assert response.status_code == 200
    text = text_of(response)
    for expected in [
        "General Information (All Ailments)",
        "K2 exists in several forms called menaquinones",
        "Osteocalcin (bone compartment)",
        "Repletion takes time",
        "Helps with these conditions",
        "Detailed Information by Condition",
        "Biologic mechanism. Vitamin K is a cofactor for γ-carboxylation of bone proteins, "
        "notably osteocalcin and matrix Gla protein (MGP). Carboxylated osteo...",
        "Community Discussion",
        "Remedy Statistics",
        "No recommended products added yet.",
    ]:
        assert expected in text, expected
    assert 'href="/remedies/vitamin-k2/osteoporosis/"' in response.content.decode()


def test_condition_page_lists_its_remedies_with_effectiveness(client, seed):
    response = client.get("/conditions/osteoporosis/")

    text = text_of(response)
    assert response.status_code == 200
    assert "Vitamin K2" in text
    assert "Possibly effective" in text
    assert 'href="/remedies/vitamin-k2/osteoporosis/"' in response.content.decode()


def test_indexes_and_home_link_the_seed_entry(client, seed):
    for url in ["/", "/remedies/"]:
        assert 'href="/remedies/vitamin-k2/"' in client.get(url).content.decode()
    assert 'href="/conditions/osteoporosis/"' in client.get("/conditions/").content.decode()


def test_grading_page_defines_both_scales(client, db):
    text = text_of(client.get("/how-we-grade-evidence/"))

    for label in [
        "Effective",
        "Likely effective",
        "Possibly effective",
        "Insufficient evidence",
        "Possibly ineffective",
        "Likely ineffective",
        "Ineffective",
    ]:
        assert label in text
    for grade in ["Grade A", "Grade B", "Grade C", "Grade D", "Grade F"]:
        assert grade in text


@pytest.mark.parametrize(
    "url",
    [
        "/remedies/no-such-remedy/",
        "/remedies/vitamin-k2/no-such-condition/",
        "/remedies/no-such-remedy/osteoporosis/",
        "/conditions/no-such-condition/",
        "/members/nobody/",
    ],
)
def test_unknown_slugs_give_404_page(client, seed, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_markdown_with_script_or_event_handlers_never_reaches_the_page(client, make_pair):
    payload = (
        "Text <script>alert('x')</script> and <img src=x onerror=alert(1)> and "
        '<a href="javascript:alert(1)" onclick="alert(1)">link</a> [js](javascript:alert(1)) '
        '<div hx-get="/admin/" style="color:red">htmx</div>'
    )
    pair = make_pair(mechanism=payload)
    pair.remedy.what_it_is = payload
    pair.remedy.save()

    for url in [pair.get_absolute_url(), pair.remedy.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert_no_active_content(html)
        assert not any(
            "/admin/" in (attrs.get("hx-get"), attrs.get("data-hx-get"))
            for _, attrs in start_tags(html)
        )
