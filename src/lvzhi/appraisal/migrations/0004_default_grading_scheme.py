"""The default 党支部分类定级 scheme (see ``appraisal.grading_defaults``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from lvzhi.appraisal.grading_defaults import ensure_default_scheme

    ensure_default_scheme(apps.get_model("appraisal", "GradingScheme"), apps.get_model("appraisal", "GradingIndicator"))


def unseed(apps, schema_editor):
    apps.get_model("appraisal", "GradingScheme").objects.filter(unit__isnull=True, year__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0003_grading_schemes")]
    operations = [migrations.RunPython(seed, unseed)]
