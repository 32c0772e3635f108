"""What the audit page shows a branch secretary: the changes in their units, each with who, what, which record
and the values before and after — and nothing of other units or of confidential records."""

import re

import pytest

from lvzhi.org.models import User
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.records import registry, selectors
from lvzhi.records.services import update_record

pytestmark = pytest.mark.django_db


def _rows(body):
    table = re.search(r'<table class="grid" id="audit">.*?</table>', body, re.S).group(0)
    rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", table, re.S)
    return [(int(seq), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rest)).strip()) for seq, rest in rows]


def _count(body):
    return int(re.search(r"共 (\d+) 条", body).group(1))


def test_a_branch_secretary_sees_the_changes_in_their_units_and_only_those(client_as):
    zhibu, admin, jiwei = (User.objects.get(username=n) for n in ("zhibu", "admin_demo", "jiwei"))
    own_scope = scope_for(zhibu)
    activity = registry.get("branch_activity")
    mine = selectors.visible(activity, own_scope).order_by("pk").first()
    theirs = (selectors.visible(activity, Scope.everything())
              .exclude(pk__in=selectors.visible(activity, own_scope).values("pk")).order_by("pk").first())
    talk_type = registry.get("integrity_talk")
    talk = talk_type.model.objects.order_by("pk").first()
    own_unit = own_scope.units().order_by("depth").first()  # the secretary's workshop
    assert mine and theirs and talk and own_unit

    c = client_as("zhibu")
    before = _count(c.get("/audit/").content.decode())
    old_title = mine.title
    update_record(activity, mine, {"title": "审计页核对·本支部学习"}, actor=zhibu, scope=own_scope)
    update_record(activity, theirs, {"title": "审计页核对·他厂"}, actor=admin, scope=Scope.everything())
    update_record(talk_type, talk, {"unit": own_unit, "kind": "admonition", "title": "审计页核对·诫勉"}, actor=jiwei,
                  scope=scope_for(jiwei))  # a confidential talk, now in the secretary's units

    body = c.get("/audit/").content.decode()
    assert _count(body) == before + 1  # only the change in the secretary's own units
    seq, newest = _rows(body)[0]
    assert "修改" in newest and activity.verbose_name in newest
    assert "审计页核对·本支部学习" in newest and old_title[:20] in newest  # before → after
    assert "审计页核对·他厂" not in body and "诫勉" not in body and "审计页核对·诫勉" not in body

    # the 纪委 sees its own confidential change
    assert "审计页核对·诫勉" in client_as("jiwei").get("/audit/").content.decode()
