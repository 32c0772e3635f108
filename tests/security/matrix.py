"""The machinery of the permission matrix: who the roles are, what each may do, and the cell runner.

The expected outcomes are written out here from the README's role table — deliberately not read from
``org.scoping`` — so a change to what a role may do must change this table too.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from .csp import csp_problems

ROLES = ["admin_demo", "shuji", "dangban", "jiwei", "xuanchuan", "zhibu", "chakan"]
ANONYMOUS = "anonymous"
ALL_SYSTEMS = {"org", "party_building", "cadres", "governance", "integrity", "ideology", "obligations", "reports"}
WRITES = {
    "admin_demo": ALL_SYSTEMS,
    "shuji": ALL_SYSTEMS,
    "dangban": {"org", "party_building", "cadres", "governance", "obligations", "reports"},
    "jiwei": {"integrity", "obligations"},
    "xuanchuan": {"ideology"},
    "zhibu": {"party_building"},
    "chakan": set(),
    ANONYMOUS: set(),
}
SEES_CONFIDENTIAL = {"shuji", "jiwei"}
HOME = {"zhibu": "JH01-P03-W01"}  # everyone else: the company JH01
PLACE = {role: "JH01-D02" for role in ("admin_demo", "shuji", "dangban", "jiwei", "xuanchuan", "chakan")}
AWAY = {"zhibu": "JH01-P01"}  # a neighbouring plant; for everyone else the sibling company JH02

# Confidential content placed inside every role's scope (the workshop of the branch secretary): none of it may
# reach a role outside 纪委 and the 党委书记, through any response.
SECRET_NAME = "保密矩阵甲"
SECRETS = (SECRET_NAME, "提醒谈话矩阵标题", "谈话矩阵保密内容", "矩阵保密问题描述", "矩阵保密整改措施", "问责矩阵保密事由")

# A staff register lists every employee, the person named in a confidential record too: the name alone is not the
# secret there (what they were talked to or held accountable for is). Everywhere else the name must not appear.
# Excel templates and the dataset carry the people in scope as a drop-down list (the 选项 sheet): a register too.
STAFF_REGISTER = ("/records/person/", "/api/people/", "/imports/person/", "/org/units/", "/org/people/",
                  "/admin/org/person/", "/imports/dataset/export.xlsx")
STAFF_REGISTER_FILES = ("/template.xlsx",)

TALLY: Counter = Counter()  # cells run, per role; printed at the end of the session


def home_code(role: str) -> str:
    return HOME.get(role, "JH01")


def away_code(role: str) -> str:
    return AWAY.get(role, "JH02")


def body_text(response) -> str:
    """Everything a response shows: HTML/JSON text, or the XML of an XLSX/DOCX."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # the test client closes the response once it is read
    else:
        content = response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                # openpyxl writes non-ASCII text as character references (&#30683;): read it as text.
                return html.unescape("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                                             if n.endswith(".xml")))
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", "replace")


@dataclass
class Matrix:
    """Runs cells for one role and collects every mismatch (reported together at the end)."""

    role: str
    user: object = None
    failures: list = field(default_factory=list)
    cells: int = 0
    seen_secrets: set = field(default_factory=set)

    def __post_init__(self):
        self.page = Client()
        self.api = APIClient()
        if self.user is not None:
            self.page.force_login(self.user)
            self.api.force_authenticate(self.user)

    @property
    def anon(self) -> bool:
        return self.role == ANONYMOUS

    @property
    def sees_confidential(self) -> bool:
        return self.role in SEES_CONFIDENTIAL

    def can_write(self, system: str) -> bool:
        return system in WRITES[self.role]

    # --- expectations ------------------------------------------------------------------------------------
    def read(self, visible: bool = True, ok: int = 200):
        if self.anon:
            return "login"
        return ok if visible else 404

    def write(self, system: str, *, visible: bool = True, ok=302):
        """A write: anonymous → sign in; an object the user cannot read → 404; a system they cannot write → 403."""
        if self.anon:
            return "login"
        if not visible:
            return 404
        return ok if self.can_write(system) else 403

    # --- running a cell ----------------------------------------------------------------------------------
    def cell(self, endpoint: str, where: str, mode: str, expected, method: str, url: str, *, api: bool = False,
             data=None, fmt: str | None = None, check=None):
        """One request; ``where`` is in / out / - (no object); ``mode`` read / write; ``check(response)`` may add
        a condition on the outcome (e.g. nothing was created)."""
        client = self.api if api else self.page
        kwargs = {"format": fmt or "json"} if api and data is not None else {}
        with transaction.atomic():  # a write is undone after its cell: every cell starts from the same world
            response = getattr(client, method.lower())(url, data, **kwargs) if data is not None else \
                getattr(client, method.lower())(url)
            ok, got = self._matches(expected, response, api)
            problem = "" if ok else f"expected {expected}, got {got}{self._form_errors(response)}"
            if ok and check is not None:
                problem = check(response) or ""
            if method != "GET":
                transaction.set_rollback(True)
        self.cells += 1
        TALLY[self.role] += 1
        if problem:
            self.failures.append(f"{self.role:<10} {method:<6} {url:<60} [{endpoint} · {where} · {mode}] {problem}")
        self._scan(response, method, url)
        return response

    def _matches(self, expected, response, api) -> tuple[bool, str]:
        status = response.status_code
        got = str(status)
        if status == 302:
            got += f" → {response['Location']}"
        if expected == "login":
            if api:
                return status in (401, 403), got
            login = settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else "/login/"
            return status == 302 and response["Location"].startswith(login), got
        if expected == "admin-login":
            return status == 302 and response["Location"].startswith("/admin/login/"), got
        if expected == "redirect":
            return status == 302 and not response["Location"].startswith("/login/"), got
        if isinstance(expected, tuple):
            return status in expected, got
        return status == expected, got

    @staticmethod
    def _form_errors(response) -> str:
        context = getattr(response, "context", None)
        form = context.get("form") if context is not None else None
        if form is not None and getattr(form, "errors", None):
            return f" {dict(form.errors)}"
        if response.status_code == 400 and response.get("Content-Type", "").startswith("application/json"):
            return f" {response.content.decode()[:300]}"
        return ""

    def _scan(self, response, method, url) -> None:
        """No confidential word may appear in anything shown to a role that may not see it; every answer carries
        the Content-Security-Policy and no page has what it blocks (issue 17)."""
        self.failures += [f"{self.role:<10} {method:<6} {url:<60} CSP {p}" for p in csp_problems(response)]
        if response.status_code >= 300 and response.status_code != 404 and response.status_code not in (400, 403):
            return
        text = body_text(response)
        found = [s for s in SECRETS if s in text and not (
            s == SECRET_NAME and (url.startswith(STAFF_REGISTER) or url.endswith(STAFF_REGISTER_FILES)))]
        if found and not self.sees_confidential:
            self.failures.append(f"{self.role:<10} {method:<6} {url:<60} LEAK {found}")
        self.seen_secrets.update(found)
