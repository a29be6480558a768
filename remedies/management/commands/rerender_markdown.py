from django.core.management.base import BaseCommand

from remedies.services import markdown_rerender_all


class Command(BaseCommand):
    help = "Re-render stored Markdown to HTML (run after the sanitizer allowlists change)."

    def handle(self, *args, **options):
        self.stdout.write(f"Re-rendered {markdown_rerender_all()} rows.")
