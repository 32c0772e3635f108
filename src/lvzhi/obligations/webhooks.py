"""The daily 待办 digest to where people already are: 企业微信 and 钉钉 group robots. Off unless configured.

settings.DIGEST_WEBHOOKS (LVZHI_DIGEST_WEBHOOKS) pairs a unit with a robot's URL, ``单位编码=URL``, several pairs
separated by spaces, commas or new lines; each group receives what is late or due soon in its unit and below. Both
robots take the same text message: ``{"msgtype": "text", "text": {"content": …}}`` and answer
``{"errcode": 0, "errmsg": "ok"}``. Text is cut to fit a 企业微信 message (2,048 bytes)."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.web import clock

from .engine import DUE_SOON, LATE
from .selectors import warnings_for

MAX_BYTES = 2000  # 企业微信: text content at most 2,048 bytes (UTF-8)
TIMEOUT = 10


@dataclass
class Delivery:
    unit_code: str
    url: str
    text: str | None  # None: nothing late or due soon, nothing sent
    error: str = ""  # empty: delivered (or nothing to deliver)


def targets(text: str | None = None) -> list[tuple[str, str]]:
    """'JH01-P03-W01=https://…' pairs → [(unit code, URL)]. Raises ValueError in Chinese for a malformed pair."""
    text = getattr(settings, "DIGEST_WEBHOOKS", "") if text is None else text
    pairs = []
    for part in re.split(r"[\s,，;；]+", text or ""):
        if not part:
            continue
        code, sep, url = part.partition("=")
        if not sep or not code or not url.startswith(("http://", "https://")):
            raise ValueError(f"群机器人设置“{part}”格式不对：应写成“单位编码=https://…”。")
        pairs.append((code.strip(), url.strip()))
    return pairs


def compose(unit: Unit, *, year: int | None = None, as_of: dt.date | None = None) -> str | None:
    as_of = as_of or clock.today()
    year = year or clock.working_year(as_of)
    items, _ = warnings_for(Scope.everything("群机器人"), year=year, as_of=as_of, unit=unit)
    if not items:
        return None
    late = sum(1 for c in items if c.state == LATE)
    soon = sum(1 for c in items if c.state == DUE_SOON)
    head = f"【履职】{unit.name}待办：截至{as_of:%Y年%m月%d日}，{year}年逾期 {late} 项，即将到期 {soon} 项。"
    lines = [head]
    used = len(head.encode())
    for n, c in enumerate(items):
        due = f"（到期 {c.due:%m-%d}）" if c.due else ""
        line = f"{n + 1}. 【{c.state_label}】{c.rule.name}｜{c.description}{due}"
        rest = f"……另有 {len(items) - n} 项，请登录“履职”查看“待办与预警”。"
        if used + len(line.encode()) + len(rest.encode()) + 2 > MAX_BYTES:
            lines.append(rest)
            break
        lines.append(line)
        used += len(line.encode()) + 1
    return "\n".join(lines)


def post(url: str, text: str) -> str:
    """Send one text message; '' when the robot accepted it, else the reason in Chinese."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 — a URL the operator set
            answer = json.loads(response.read().decode() or "{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"发送失败：{exc}"
    if answer.get("errcode", 0) != 0:
        return f"机器人拒收：{answer.get('errcode')} {answer.get('errmsg', '')}".strip()
    return ""


def send_group_digests(*, year: int | None = None, as_of: dt.date | None = None, dry_run: bool = False,
                       text: str | None = None) -> list[Delivery]:
    out = []
    for code, url in targets(text):
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            out.append(Delivery(code, url, None, f"没有编码为“{code}”的单位"))
            continue
        message = compose(unit, year=year, as_of=as_of)
        error = post(url, message) if message and not dry_run else ""
        out.append(Delivery(code, url, message, error))
    return out
