import pytest
from django.core.exceptions import ValidationError

from lvzhi.audit.models import AuditEntry
from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.org.services import unit_move

pytestmark = pytest.mark.django_db


def test_subtree_is_one_prefix_condition(contact_plant):
    qs = Unit.objects.filter(contact_plant.subtree_q())
    assert "LIKE" in str(qs.query).upper()
    assert set(qs.values_list("code", flat=True)) == {"JH01-P03", "JH01-P03-W01", "JH01-P03-W02", "JH01-P03-W03", "JH01-P03-W04"}
    people = Person.objects.filter(contact_plant.subtree_q("unit__"))
    assert people.count() == Person.objects.filter(unit__code__startswith="JH01-P03").count() > 100


def test_moving_a_subtree_keeps_its_people_and_writes_the_audit_trail(company):
    workshop = Unit.objects.get(code="JH01-P03-W02")
    target = Unit.objects.get(code="JH01-P07")
    people_before = set(Person.objects.filter(workshop.subtree_q("unit__")).values_list("pk", flat=True))
    unit_move(workshop, target, actor="测试", scope=Scope.everything())
    workshop.refresh_from_db()
    target.refresh_from_db()
    assert workshop.path.startswith(target.path)
    assert workshop.parent_unit == target
    assert set(Person.objects.filter(target.subtree_q("unit__")).values_list("pk", flat=True)) >= people_before
    old_plant = Unit.objects.get(code="JH01-P03")
    assert not Person.objects.filter(old_plant.subtree_q("unit__"), pk__in=people_before).exists()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "move" and entry.object_id == str(workshop.pk)
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_unit_cannot_move_under_itself(contact_plant):
    child = Unit.objects.get(code="JH01-P03-W01")
    with pytest.raises(ValidationError, match="下级单位之下"):
        unit_move(contact_plant, child, actor="测试", scope=Scope.everything())


def test_full_name_walks_the_tree():
    assert Unit.objects.get(code="JH01-P03-W01").full_name == "江海化工集团有限公司/江海化工股份有限公司/有机硅厂/单体车间"
