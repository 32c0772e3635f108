"""Records' get_<field>_display() keeps the labels of fixed choices per field (records.models.RecordBase): the
same text as Django's own for every choice, an unknown value and an empty one, on every record type."""

from django.db.models import Model

from lvzhi.records import registry


def test_display_of_every_choice_field_is_djangos():
    checked = 0
    for rt in registry.all_types():
        for f in rt.model._meta.concrete_fields:
            if not f.choices:
                continue
            obj = rt.model()
            for value in [*(v for v, _label in f.flatchoices), "不在选项中", None, ""]:
                setattr(obj, f.attname, value)
                mine = getattr(obj, f"get_{f.name}_display")()
                assert mine == Model._get_FIELD_display(obj, f) and type(mine) is type(
                    Model._get_FIELD_display(obj, f)), (rt.key, f.name, value)
                checked += 1
    assert checked > 100
