from django.db import migrations, models

from lvzhi.records.migration_helpers import number_existing

HELP = "留空时由系统编号，如 HD-2022-0012；到会情况等按此编号指明活动"


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0004_visible_numbers")]

    operations = [
        migrations.AddField("branchactivity", "number", models.CharField("活动编号", max_length=32, blank=True, default="",
                                                                         help_text=HELP), preserve_default=False),
        migrations.RunPython(number_existing("partybuilding.branchactivity", "HD", "date"), migrations.RunPython.noop),
        migrations.AlterField("branchactivity", "number", models.CharField("活动编号", max_length=32, unique=True,
                                                                           blank=True, help_text=HELP)),
    ]
