from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = {
    "discussion": [
        "view_comment",
        "change_comment",
        "view_flaggedcomment",
        "change_flaggedcomment",
        "view_flag",
        "view_commentrevision",
        "view_moderationaction",
        "view_thread",
        "change_thread",
    ],
    "accounts": ["view_suspension", "add_suspension", "change_suspension", "delete_suspension"],
    "auth": ["view_user"],
}


def create_moderators_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        moderators.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_suspension"),
        ("discussion", "0002_flaggedcomment_comment_flag_count_comment_moderation_and_more"),
    ]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
