from django.db import migrations

from lvzhi.records.migration_helpers import add_number


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0003_list_order_indexes")]

    operations = [
        *add_number("partybuilding", "contactpoint", "联系点编号", "LXD", "date"),
        *add_number("partybuilding", "cobuilding", "共建编号", "GJ", "date"),
    ]
