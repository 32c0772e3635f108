"""An optional on-premises language model that drafts the wording of a writer section from its evidence.

Off unless ``LVZHI_LLM_URL`` names an OpenAI-compatible chat-completions endpoint (``…/v1/chat/completions``; a URL
ending in ``/v1`` gets ``/chat/completions`` added). One POST with the stdlib (no client library for one call),
time-limited by ``LVZHI_LLM_TIMEOUT`` seconds; every failure is a Chinese message, never an exception to the page.
A draft is offered only when ``verify.verify`` finds nothing in it that the evidence does not state.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from django.conf import settings

from . import verify

if TYPE_CHECKING:
    from lvzhi.org.models import Unit

    from .suggest import Suggestion

MAX_REPLY_BYTES = 200_000  # a section is a few hundred characters; more is no draft


class LlmError(Exception):
    """The model could not be asked or gave no usable answer; the message is for the writer (Chinese)."""


def configured() -> bool:
    return bool(settings.LLM_URL)


def endpoint() -> str:
    url = settings.LLM_URL.rstrip("/")
    return url + "/chat/completions" if url.endswith("/v1") else url


def chat(messages: list[dict]) -> str:
    """The model's reply to ``messages`` (OpenAI chat-completions JSON); LlmError on any failure."""
    timeout = settings.LLM_TIMEOUT
    body = {"messages": messages, "temperature": 0, "stream": False}
    if settings.LLM_MODEL:
        body["model"] = settings.LLM_MODEL
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.LLM_API_KEY}"
    request = urllib.request.Request(endpoint(), data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured URL)
            raw = response.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise LlmError(f"语言模型服务返回错误（HTTP {exc.code}），未能起草。") from None
    except (TimeoutError, socket.timeout):
        raise LlmError(f"语言模型在 {timeout:g} 秒内没有答复，未能起草。") from None
    except (urllib.error.URLError, OSError, ValueError):
        raise LlmError("无法连接语言模型服务，请管理员检查语言模型的地址设置。") from None
    if len(raw) > MAX_REPLY_BYTES:
        raise LlmError("语言模型的答复过长，未采用。")
    try:
        content = json.loads(raw.decode("utf-8"))["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
        raise LlmError("语言模型的答复格式不正确（应为 OpenAI 兼容的 chat completions 格式），未能起草。") from None
    if not isinstance(content, str):
        raise LlmError("语言模型的答复格式不正确，未能起草。")
    return content.strip()


SYSTEM = ("你是党建述职报告的撰写助手。只根据用户给出的证据起草文字，使用规范的党政公文语言。"
          "不得写出证据中没有的任何数字、日期、人名、单位名称或事实；不得编造成绩、表彰或措施。"
          "只输出正文段落，每段以“一是”“二是”……开头，不要标题，不要解释。")


def prompt(label: str, unit_name: str, year: int, evidence: list[str]) -> list[dict]:
    listed = "\n".join(f"{i}. {text}" for i, text in enumerate(evidence, 1))
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"请为{unit_name}{year}年度述职报告的“{label}”部分起草文字。证据如下：\n{listed}"}]


def draft_into(suggestion: Suggestion, *, unit: Unit, year: int) -> None:
    """Ask the model for the section's wording; keep the draft only if the verifier accepts it."""
    if not configured():
        suggestion.draft_error = "未配置语言模型，以下为根据证据生成的建议段落。"
        return
    evidence = [c["text"] for c in suggestion.evidence]
    if not evidence:
        suggestion.draft_error = "本部分没有证据，语言模型不起草；请由述职人撰写。"
        return
    try:
        text = chat(prompt(suggestion.label, unit.name, year, evidence))
    except LlmError as exc:
        suggestion.draft_error = str(exc)
        return
    # the evidence the model saw, and the suggested paragraphs built from it (their wording is lvzhi's own)
    known = "\n".join([f"{unit.name}{year}年", *evidence, *(p.text for p in suggestion.paragraphs)])
    reasons = verify.verify(text, known, verify.known_names())
    if reasons:
        suggestion.draft_rejected = reasons
    else:
        suggestion.draft = text
