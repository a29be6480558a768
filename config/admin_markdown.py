"""The admin's Markdown editing: a live preview and a citation picker on every Markdown
field of a model (the fields its `markdown_fields` names)."""

from django import forms


class MarkdownPreviewWidget(forms.Textarea):
    """A Markdown textarea with a live preview and a citation picker below it.

    static/editorial/markdown-preview.js asks the server to render the text (so the
    preview is exactly what the page will show, sanitized) and to search citations.
    """

    template_name = "admin/widgets/markdown_preview.html"

    class Media:
        js = ["editorial/markdown-preview.js"]
        css = {"all": ["editorial/markdown-preview.css"]}

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"rows": 6, "class": "vLargeTextField markdown-source", **(attrs or {})}
        )


class MarkdownFieldsMixin:
    """For ModelAdmin and inlines: Markdown fields of the model get MarkdownPreviewWidget."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in getattr(self.model, "markdown_fields", ()):
            kwargs["widget"] = MarkdownPreviewWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)
