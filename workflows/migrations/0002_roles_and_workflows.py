"""Roles (groups and permissions), the two workflows and the routing rules, as data."""

from django.db import migrations


def install(apps, schema_editor):
    from workflows.defaults import moderation_defaults_install

    moderation_defaults_install(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0001_initial"),
        ("content_types", "0001_initial"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
        ("wagtailcore", "__latest__"),
        ("wagtailadmin", "__latest__"),
        ("wagtailimages", "__latest__"),
        ("wagtaildocs", "__latest__"),
        ("wagtailredirects", "__latest__"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
