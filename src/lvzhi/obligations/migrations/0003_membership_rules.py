"""The rules of issue 14 (发展党员, 换届, 党费) join the default rules of existing databases."""

from django.db import migrations, models


def load(apps, schema_editor):
    from lvzhi.obligations.defaults import load_default_rules

    load_default_rules(apps.get_model("obligations", "ObligationRule"))


def unload(apps, schema_editor):
    apps.get_model("obligations", "ObligationRule").objects.filter(unit__isnull=True,
                                                                   check_type__in=["development", "term", "dues"]).delete()


class Migration(migrations.Migration):
    dependencies = [("obligations", "0002_default_rules")]
    operations = [
        migrations.RunPython(load, unload),
    ]
