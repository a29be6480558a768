"""What search engines and link previews read: canonical URLs and schema.org JSON-LD."""

import json

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

SITE_NAME = "Remedy Commons"

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def canonical(request: HttpRequest) -> dict:
    """Context processor: the page's canonical address (no query string) and site name."""
    try:
        url = request.build_absolute_uri(request.path)
    except DisallowedHost:  # rendering the 400 page for a forged Host header
        url = request.path
    return {"canonical_url": url, "site_name": SITE_NAME}


def json_ld(data: dict) -> SafeString:
    """A schema.org block. Escaped like Django's json_script, so text in it (which editors
    wrote) can never close the script element."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')
