from django.contrib.sitemaps import Sitemap

from conditions.models import Condition


class ConditionSitemap(Sitemap):
    def items(self):
        return Condition.objects.published().order_by("pk")

    def lastmod(self, condition: Condition):
        return condition.updated_at
