from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm lets search find "osteoperosis"; on SQLite this does nothing."""

    dependencies = [("remedies", "0004_pair_evidence_grade")]

    operations = [TrigramExtension()]
