"""Shared CLI options: --user (act within that user's scope), --unit (a unit by code or name), --as-of (a day)."""

import datetime as dt

from django.core.management.base import CommandError

from lvzhi.audit.actors import COMMAND_LINE, Actor
from lvzhi.org.models import Unit, User
from lvzhi.org.scoping import Scope, scope_for


def add_user_option(parser):
    parser.add_argument("--user", help="以该账号的身份和权限范围执行（默认：系统，全部范围）")


def actor_and_scope(username: str | None) -> tuple[Actor, Scope]:
    """The account named by --user and its scope, or the command line with every unit."""
    if not username:
        return COMMAND_LINE, Scope.everything(COMMAND_LINE.name)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"账号“{username}”不存在或已停用。")
    return user, scope_for(user)


def find_unit(text: str | None, scope: Scope) -> Unit | None:
    """A unit by code, name or full path (集团/公司/厂), within the scope."""
    if not text:
        return None
    units = scope.units()
    for q in ({"code": text}, {"name": text}):
        matches = list(units.filter(**q)[:3])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            codes = "、".join(u.code for u in matches)
            raise CommandError(f"单位“{text}”对应多个（编码 {codes}），请用编码指定。")
    if "/" in text:
        for u in units.filter(name=text.rsplit("/", 1)[-1]):
            if u.full_name == text:
                return u
    raise CommandError(f"找不到单位“{text}”，或无权访问。")


def top_unit(scope: Scope) -> Unit:
    from lvzhi.org.selectors import top_units

    unit = top_units(scope).first()
    if unit is None:
        raise CommandError("没有可用的单位：请先运行 lvzhi demo 或导入单位。")
    return unit


def as_of_day(text: str | None, example: str = "2022-12-31") -> dt.date:
    """--as-of as a date; without it the one "today" (web/clock.py, LVZHI_AS_OF)."""
    from lvzhi.web import clock

    if not text:
        return clock.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"截至日期“{text}”格式不对，应为 {example}。") from None
