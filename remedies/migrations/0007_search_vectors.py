import django.contrib.postgres.search
from django.db import migrations

from remedies.search_index import condition_document, pair_document, remedy_document

GIN_INDEXES = [
    ("remedies_remedy", "remedy_search_vector_gin"),
    ("conditions_condition", "condition_search_vector_gin"),
    ("remedies_pair", "pair_search_vector_gin"),
]


def index_and_fill(apps, schema_editor):
    """PostgreSQL only: GIN indexes (SQLite has none; its search matches words) and the
    vectors of the pages already there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in GIN_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_vector)")
    Remedy = apps.get_model("remedies", "Remedy")
    Condition = apps.get_model("conditions", "Condition")
    Pair = apps.get_model("remedies", "Pair")
    Evidence = apps.get_model("remedies", "Evidence")
    Remedy.objects.update(search_vector=remedy_document())
    Condition.objects.update(search_vector=condition_document())
    Pair.objects.update(search_vector=pair_document(Remedy, Condition, Evidence))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in GIN_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("remedies", "0006_experience_reports"),
        ("conditions", "0003_condition_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="pair",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="remedy",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_indexes),
    ]
