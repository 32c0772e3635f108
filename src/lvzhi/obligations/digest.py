"""The daily e-mail digest: for each user with an e-mail address, what in their units is late or due soon."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage

from lvzhi.org.models import User
from lvzhi.org.scoping import scope_for
from lvzhi.web import clock

from .engine import DUE_SOON, LATE
from .selectors import warnings_for

SHOWN = 40  # items listed in one mail; the rest are counted and left to the warnings page


def compose(user, *, year: int | None = None, as_of: dt.date | None = None) -> EmailMessage | None:
    """The digest for one user, or None when nothing in their scope is late or due soon."""
    as_of = as_of or clock.today()
    items, evaluations = warnings_for(scope_for(user), year=year, as_of=as_of)
    if not items:
        return None
    late = sum(1 for c in items if c.state == LATE)
    soon = sum(1 for c in items if c.state == DUE_SOON)
    units = "、".join(ev.unit.name for ev in evaluations)
    lines = [f"{user.display_name}：", "",
             f"截至 {as_of:%Y年%m月%d日}，{units}{year or as_of.year}年的应办事项中，逾期 {late} 项，即将到期 {soon} 项。", ""]
    for c in items[:SHOWN]:
        due = f"（到期日 {c.due:%Y-%m-%d}）" if c.due else ""
        lines.append(f"【{c.state_label}】{c.rule.name}｜{c.description}{due}")
    if len(items) > SHOWN:
        lines.append(f"……另有 {len(items) - SHOWN} 项，请登录“履职”查看“待办与预警”。")
    lines += ["", "此邮件由“履职”系统自动发送。"]
    subject = f"【履职】待办与预警：逾期{late}项，即将到期{soon}项（{as_of:%Y-%m-%d}）"
    return EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])


def send_digests(*, year: int | None = None, as_of: dt.date | None = None, usernames=None, dry_run: bool = False):
    """Compose (and unless ``dry_run`` send) every digest; returns [(username, message or None)]."""
    users = User.objects.filter(is_active=True).exclude(email="").order_by("username")
    if usernames:
        users = users.filter(username__in=usernames)
    out = []
    for user in users:
        message = compose(user, year=year, as_of=as_of)
        if message is not None and not dry_run:
            message.send()
        out.append((user.username, message))
    return out
