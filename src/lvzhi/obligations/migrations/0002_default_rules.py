"""Load the default obligation rules (fixtures/default_rules.json, built from RULES.md) into every database."""

from django.db import migrations


def load(apps, schema_editor):
    from lvzhi.obligations.defaults import load_default_rules

    load_default_rules(apps.get_model("obligations", "ObligationRule"))


def unload(apps, schema_editor):
    apps.get_model("obligations", "ObligationRule").objects.filter(unit__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("obligations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
