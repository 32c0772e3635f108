"""Today's membership becomes events (期初登记 / 入党) and today's committees become posts, so rosters of any day
are derived from the same rows from now on. Idempotent: people and organisations that already have some are left."""

from django.db import migrations


def forward(apps, schema_editor):
    from lvzhi.membership.services import backfill

    backfill(apps.get_model("org", "Person"), apps.get_model("org", "PartyOrg"),
             apps.get_model("membership", "MembershipEvent"), apps.get_model("membership", "OrgPost"))


def backward(apps, schema_editor):
    apps.get_model("membership", "OrgPost").objects.all().delete()
    apps.get_model("membership", "MembershipEvent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("membership", "0001_membership_events"), ("org", "0004_role_request")]
    operations = [migrations.RunPython(forward, backward)]
