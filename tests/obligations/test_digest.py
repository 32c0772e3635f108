"""The daily digest: one mail per user with an e-mail address and something late or due soon in scope."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_digest_goes_to_users_with_an_address_and_something_to_report(users):
    users["dangban"].email = "dangban@example.com"
    users["dangban"].save()
    users["zhibu"].email = "zhibu@example.com"
    users["zhibu"].save()
    out = io.StringIO()
    call_command("digest", "--year", "2022", "--as-of", "2023-06-30", stdout=out)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dangban@example.com"]
    assert message.subject == "【履职】待办与预警：逾期6项，即将到期0项（2023-06-30）"
    assert "合成氨厂合成车间党支部" in message.body and "【逾期】支部委员会会议" in message.body
    assert "zhibu：没有逾期或即将到期的事项，不发送。" in out.getvalue()


def test_dry_run_sends_nothing(users):
    users["jiwei"].email = "jiwei@example.com"
    users["jiwei"].save()
    out = io.StringIO()
    call_command("digest", "--year", "2022", "--as-of", "2023-06-30", "--dry-run", "--user", "jiwei", stdout=out)
    assert mail.outbox == []
    assert "jiwei：将发送" in out.getvalue()
