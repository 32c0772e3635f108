from django.db import migrations

from lvzhi.records.migration_helpers import add_number


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [
        *add_number("integrity", "dutylist", "清单编号", "QD", "date"),
        *add_number("integrity", "inspection", "检查编号", "JC", "date"),
        *add_number("integrity", "finding", "问题编号", "WT", "date"),
        *add_number("integrity", "rectification", "整改编号", "ZG", "date"),
    ]
