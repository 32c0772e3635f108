"""An import's audit entries carry their snapshot as JSON text written directly (``snapshot_json``), not as a dict
encoded afterwards: the text must be exactly what the encoder writes for ``snapshot()``, or the entries' hashes
would not be the ones ``lvzhi audit verify`` recomputes from the stored JSON."""

import datetime as dt
import decimal

import pytest

from lvzhi.audit.services import _encode, snapshot, snapshot_json
from lvzhi.records import registry

pytestmark = pytest.mark.django_db


def test_snapshot_json_is_the_encoded_snapshot_of_every_record_type():
    """A stored record of every type that has one (with its many-to-many ids), and a new one (defaults, no pk)."""
    seen = 0
    for rt in registry.all_types():
        m2m_names = list(rt.m2m_fields)
        for obj in [*rt.model._default_manager.order_by("pk")[:3], rt.model()]:
            m2m = {n: list(getattr(obj, n).all()) if obj.pk else [] for n in m2m_names}
            assert snapshot_json(obj, m2m) == _encode(snapshot(obj, m2m)), rt.key
            seen += obj.pk is not None
    assert seen > 50


def test_snapshot_json_writes_awkward_values_as_the_encoder_does():
    """Quotes, backslashes, control characters, non-BMP text, big and negative numbers, floats, decimals, times of
    day, aware datetimes, a bool and an empty many-to-many list: each value as the encoder writes it."""
    from lvzhi.partybuilding.models import StudySession

    rt = registry.for_model(StudySession)
    text_field = next(f.attname for f in StudySession._meta.concrete_fields if f.get_internal_type() == "TextField")
    int_field = next(f.attname for f in StudySession._meta.concrete_fields
                     if f.get_internal_type() in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"))
    obj = StudySession()
    for value in ['党委"会"\\n\t\x01\u2028𠀀', "", -(10 ** 20), 0, 1.5, float("inf"), decimal.Decimal("-1.50"),
                  dt.time(9, 30), dt.datetime(2023, 3, 1, 8, 0, tzinfo=dt.timezone.utc), dt.date(1999, 12, 31),
                  True, None, [1, "二"], {"b": 1, "a": None}]:
        setattr(obj, text_field, value)
        setattr(obj, int_field, value)
        m2m = {n: [3, 1, 2] for n in rt.m2m_fields}
        assert snapshot_json(obj, m2m) == _encode(snapshot(obj, m2m)), repr(value)
