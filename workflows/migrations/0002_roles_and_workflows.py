"""Roles (groups and permissions), the two workflows and the routing rules, as data."""

from django.db import migrations


def install(apps, schema_editor):
    from workflows.defaults import moderation_defaults_install

    moderation_defaults_install(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0001_initial"),
        ("content_types", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
