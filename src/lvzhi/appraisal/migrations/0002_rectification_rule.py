"""Add the default rule ``appraisal.rectification`` (述职评议指出问题按期整改) to databases made before it shipped."""

from django.db import migrations


def load(apps, schema_editor):
    from lvzhi.obligations.defaults import load_default_rules

    load_default_rules(apps.get_model("obligations", "ObligationRule"))


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_appraisal_campaigns_ballots_problems"), ("obligations", "0002_default_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
