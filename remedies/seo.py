"""schema.org descriptions of the remedy, condition and pair pages."""

from django.http import HttpRequest

from remedies.models import Pair, Remedy


def remedy_structured_data(remedy: Remedy, request: HttpRequest) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "DietarySupplement",
        "name": remedy.name,
        "description": remedy.summary,
        "url": request.build_absolute_uri(remedy.get_absolute_url()),
    }


def pair_structured_data(pair: Pair, request: HttpRequest) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": f"{pair.remedy.name} for {pair.condition.name}",
        "description": pair.summary or pair.teaser,
        "url": request.build_absolute_uri(pair.get_absolute_url()),
        "about": [
            {
                "@type": "DietarySupplement",
                "name": pair.remedy.name,
                "url": request.build_absolute_uri(pair.remedy.get_absolute_url()),
            },
            {
                "@type": "MedicalCondition",
                "name": pair.condition.name,
                "url": request.build_absolute_uri(pair.condition.get_absolute_url()),
            },
        ],
        "mainEntity": {"@type": "DietarySupplement", "name": pair.remedy.name},
    }
    if pair.last_reviewed:
        data["lastReviewed"] = pair.last_reviewed.isoformat()
    return data
