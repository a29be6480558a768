from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from conditions.models import Condition
from config.admin_markdown import MarkdownFieldsMixin


@admin.register(Condition)
class ConditionAdmin(MarkdownFieldsMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "summary", "description")
    prepopulated_fields = {"slug": ("name",)}
