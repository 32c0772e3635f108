"""The actor of a change (lvzhi.audit.actors): a person is recorded by id and name, a system actor by its name
only and never as the creator of a row; the command line writes as 命令行."""

import pytest
from django.core.management import call_command

from lvzhi.audit.actors import COMMAND_LINE, DEMO, SystemActor, id_and_name, name_of, person
from lvzhi.audit.models import AuditEntry
from lvzhi.org.cli_scope import actor_and_scope

pytestmark = pytest.mark.django_db


def test_a_person_and_a_system_actor(users):
    shuji = users["shuji"]
    assert person(shuji) == shuji and id_and_name(shuji) == (shuji.pk, shuji.get_full_name() or shuji.username)
    assert person(COMMAND_LINE) is None and id_and_name(COMMAND_LINE) == (None, "命令行")
    assert name_of(SystemActor("数据导入")) == "数据导入" and DEMO == SystemActor("演示数据")


def test_the_command_line_without_a_user_is_the_named_system_actor(users):
    actor, scope = actor_and_scope(None)
    assert actor == COMMAND_LINE and scope.is_admin
    actor, _ = actor_and_scope("zhibu")
    assert actor == users["zhibu"]


def test_a_change_at_the_command_line_is_audited_as_such_with_no_creator(users, company, capsys):
    from lvzhi.tokens.models import AccessToken

    call_command("token", "create", "--user", "zhibu", "--name", "脚本")
    token = AccessToken.objects.get(user=users["zhibu"], name="脚本")
    entry = AuditEntry.objects.filter(model="tokens.accesstoken", object_id=str(token.pk)).get()
    assert (entry.actor_id, entry.actor_name) == (None, "命令行")
