"""After any single write of an event or a post, what follows from it is brought in step (services)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import MembershipEvent, OrgPost
from .services import sync_committees, sync_people


@receiver([post_save, post_delete], sender=MembershipEvent)
def _event_written(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        sync_people([instance.person_id])


@receiver([post_save, post_delete], sender=OrgPost)
def _post_written(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        sync_committees([instance.party_org_id])


def after_bulk_events(objs) -> None:
    sync_people({o.person_id for o in objs})


def after_bulk_posts(objs) -> None:
    sync_committees({o.party_org_id for o in objs})
