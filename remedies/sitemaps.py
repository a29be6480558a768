from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from remedies.models import Pair, Remedy


class StaticPagesSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home", "remedy_list", "condition_list", "grading"]

    def location(self, item: str) -> str:
        return reverse(item)


class RemedySitemap(Sitemap):
    def items(self):
        return Remedy.objects.published().order_by("pk")

    def lastmod(self, remedy: Remedy):
        return remedy.updated_at


class PairSitemap(Sitemap):
    def items(self):
        return Pair.objects.published().select_related("remedy", "condition").order_by("pk")

    def lastmod(self, pair: Pair):
        return pair.updated_at
