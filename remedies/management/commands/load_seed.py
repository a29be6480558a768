from django.core.management.base import BaseCommand

from remedies.services import seed_load


class Command(BaseCommand):
    help = "Load the seed entry (Vitamin K2 for Osteoporosis) if it is not there yet."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload it over any edits.")

    def handle(self, *args, force: bool = False, **options):
        loaded = seed_load(force=force)
        self.stdout.write("Seed entry loaded." if loaded else "Seed entry already present.")
