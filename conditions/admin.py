from django.contrib import admin

from conditions.models import Condition


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "updated_at")
    search_fields = ("name", "summary", "description")
    prepopulated_fields = {"slug": ("name",)}
