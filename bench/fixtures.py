"""Accounts and a draft report the page benchmarks use (created once, audited like any other write)."""

from __future__ import annotations

BENCH_USER = "bench_secretary"


def bench_user(scenario: str):
    """A 党委书记 of the scenario's top unit (sees everything, confidential rows included)."""
    from django.db import transaction

    import common
    from lvzhi.audit.models import AuditAction
    from lvzhi.audit.services import Change, log_changes
    from lvzhi.org.access import grant_seed_role
    from lvzhi.org.models import Role, User

    top = common.top_unit(scenario)
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        with transaction.atomic():
            user = User.objects.create(username=BENCH_USER, first_name="基准测试书记")
            user.set_unusable_password()
            user.save()
            log_changes("基准测试", [Change(AuditAction.CREATE, user, after={"username": user.username})])
            grant_seed_role(user, top, Role.SECRETARY, actor="基准测试")  # a confidential role: request + approval
    return user


def draft_report(scenario: str, user):
    import common
    from lvzhi.org.scoping import scope_for
    from lvzhi.reports import services
    from lvzhi.reports.models import DutyReport

    top = common.top_unit(scenario)
    template = services.builtin_template()  # the shipped version: a draft keeps the version it was made with
    report = DutyReport.objects.filter(unit=top, year=common.REPORT_YEAR, template=template).order_by("pk").first()
    if report is None:
        report = services.create_report(unit=top, year=common.REPORT_YEAR, template=template,
                                        actor=user, scope=scope_for(user))
    return report


def session_cookie(user) -> str:
    """A logged-in session for the load tool (what a browser holds after signing in)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def stored_year() -> None:
    """The report year's obligation results stored, as a running installation keeps them (``lvzhi recompute``):
    the pages read them. Without them every page would run the whole check per request — another benchmark."""
    import time

    import common
    from lvzhi.obligations.models import StoredYear
    from lvzhi.obligations.stored import recompute

    if StoredYear.objects.filter(year=common.REPORT_YEAR, complete=True).exists():
        return
    t = time.perf_counter()
    rows = recompute(common.REPORT_YEAR)
    print(f"[bench] {common.REPORT_YEAR} 年检查结果已保存：{rows} 行，{time.perf_counter() - t:.1f} s", flush=True)


def cpu() -> float:
    """CPU seconds of this process (user + system)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class BranchActivityWrites:
    """The write the stored-results benchmarks time: one 支部活动 saved through the records service on one of the
    top unit's branches in turn, as the bench secretary; every record written is deleted again by ``undo``."""

    def __init__(self, scenario: str, top, count: int):
        from lvzhi.org.models import PartyOrg, PartyOrgKind
        from lvzhi.org.scoping import scope_for
        from lvzhi.records import registry

        self.user = bench_user(scenario)
        self.scope = scope_for(self.user)
        self.record_type = registry.get("branch_activity")
        self.orgs = list(PartyOrg.objects.filter(unit__path__startswith=top.path, kind=PartyOrgKind.BRANCH)
                         .order_by("pk")[:count])
        self.created: list[int] = []

    def write(self, i: int, in_year: int) -> tuple[float, float]:
        """Save the i-th record dated in ``in_year``: (wall seconds, CPU seconds)."""
        import datetime as dt
        import time

        from lvzhi.records import services

        c, t = cpu(), time.perf_counter()
        obj = services.create_record(self.record_type, {"party_org": self.orgs[i % len(self.orgs)],
                                                        "kind": "themed_day", "date": dt.date(in_year, 6, 1 + i % 28),
                                                        "title": f"基准测试写入 {i + 1}"},
                                     actor=self.user, scope=self.scope)
        self.created.append(obj.pk)
        return time.perf_counter() - t, cpu() - c

    def undo(self) -> None:
        from lvzhi.records import services

        for obj in self.record_type.model.objects.filter(pk__in=self.created):
            services.delete_record(self.record_type, obj, actor=self.user, scope=self.scope)


def backend_cpu(connection) -> float | None:
    """CPU seconds (user + sys) of this connection's PostgreSQL backend so far, from /proc (None: not local)."""
    import os

    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("select pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_in_client(user):
    """A test client holding the user's session (as a browser does) and ``get(url)`` that insists on a 200."""
    from django.test import Client

    client = Client()
    client.cookies.load(session_cookie(user))  # a session in the database, as a browser holds it

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get
