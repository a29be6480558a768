from django.contrib.auth.management import create_permissions
from django.db import migrations


def let_editors_read_reports(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    # Members write reports; editors read and export them but do not change them.
    editors.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="remedies",
            codename__in=["add_experiencereport", "change_experiencereport", "delete_experiencereport"],
        )
    )
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="remedies", codename="view_experiencereport"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_moderators_group"),
        ("remedies", "0006_experience_reports"),
    ]

    operations = [migrations.RunPython(let_editors_read_reports, migrations.RunPython.noop)]
