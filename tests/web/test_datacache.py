"""Whole-subtree results (dashboard, report preview and evidence, workbench counts, metric API) are reused only for
the database state they were computed from (lvzhi.web.datacache)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client

from lvzhi.web import datacache

DASHBOARD = "/obligations/dashboard/?year=2022&as_of=2022-12-31"


def test_a_transaction_that_wrote_never_reuses_results(db, users):
    users["chakan"].save(update_fields=["last_name"])  # this test's transaction has now written
    assert datacache.database_version() is None
    calls = []
    for _ in range(2):
        datacache.cached("test.write", (1,), lambda: calls.append(1) or len(calls))
    assert len(calls) == 2


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_inside_an_atomic_block_has_no_version(db):
    assert datacache.database_version() is None  # SQLite cannot tell whether the block has written


def _quiet(fn, tries: int = 10):
    """fn() run while no other transaction in the cluster writes (another database on the same server, autovacuum
    moves the snapshot too — correctly, but then nothing is reused): returns its result and the stats delta."""
    for _ in range(tries):
        datacache.forget()
        before, version = dict(datacache.stats), datacache.database_version()
        result = fn()
        if datacache.database_version() == version:
            return result, {k: datacache.stats[k] - before[k] for k in ("hits", "misses")}
    pytest.fail("数据库一直在被其他事务写入，无法检验结果复用")


def _board(html: str) -> str:
    start = html.index('<div class="cards">')
    return html[start:html.index("</aside>", start)]


def _direct_board(user, unit_code: str) -> str:
    """The board computed now, without the cache."""
    from lvzhi.obligations import dashboard as board
    from lvzhi.org.models import Unit
    from lvzhi.org.scoping import scope_for

    unit = Unit.objects.get(code=unit_code)
    summary = board.summary(scope_for(user), unit, dt.date(2022, 1, 1), dt.date(2022, 12, 31), dt.date(2022, 12, 31))
    return render_to_string("obligations/_board.html", {"board": summary, "unit": unit})


@pytest.mark.django_db(transaction=True)  # committed data: a transaction that wrote never reuses results
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_dashboard_is_reused_until_the_database_changes_then_recomputed_exactly(committed_demo, settings):
    from lvzhi.org.models import User
    from lvzhi.org.scoping import scope_for
    from lvzhi.partybuilding.models import ActivityKind, BranchActivity
    from lvzhi.records import registry
    from lvzhi.records.services import delete_record

    settings.RESULTS_REFRESH = "inline"  # the first request after a write recomputes (tests/web/test_shared_reuse.py)
    dangban, jiwei = User.objects.get(username="dangban"), User.objects.get(username="jiwei")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # so that autovacuum has no reason to write (and move the snapshot) mid-test
    client = Client()
    client.force_login(dangban)
    (first, second), delta = _quiet(lambda: [client.get(DASHBOARD).content.decode() for _ in range(2)])
    assert delta == {"misses": 2, "hits": 2}  # the board and the header's unit switcher
    assert _board(first) == _board(second) == _board(_direct_board(dangban, "JH01"))

    # another reader with other confidential rights gets their own result, never the first reader's
    other = Client()
    other.force_login(jiwei)
    _, delta = _quiet(lambda: [c.get(DASHBOARD) for c in (client, other, client, other)])
    assert delta == {"misses": 4, "hits": 4}  # each reader's board and unit switcher once (_quiet forgot all)

    # a write through the services: a committee meeting that satisfied a month is deleted
    meeting = BranchActivity.objects.filter(kind=ActivityKind.COMMITTEE_MEETING, date__year=2022).order_by("pk").first()
    delete_record(registry.get("branch_activity"), meeting, actor=dangban, scope=scope_for(dangban))
    before = dict(datacache.stats)
    third = client.get(DASHBOARD).content.decode()
    assert datacache.stats["misses"] - before["misses"] == 1
    assert _board(third) != _board(first)
    assert _board(third) == _board(_direct_board(dangban, "JH01"))
    late = lambda html: int(html.split('class="stat late"><div class="n">')[1].split("<")[0])  # noqa: E731
    assert late(third) == late(first) + 1

    # a write that bypasses the services (psql, a restore, a bulk load) moves the version just the same
    with connection.cursor() as cur:
        cur.execute("UPDATE partybuilding_branchactivity SET date = date + 400 WHERE kind = %s AND date >= %s "
                    "AND date <= %s", [ActivityKind.COMMITTEE_MEETING, "2022-03-01", "2022-03-31"])
    fourth = client.get(DASHBOARD).content.decode()
    assert late(fourth) > late(third)
    assert _board(fourth) == _board(_direct_board(dangban, "JH01"))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_readers_with_other_rights_never_share_a_result(db, api_as, company):
    """A figure over confidential findings: the 纪委 reader's result (every record) must never reach the 党务干事,
    whose answer hides the confidential ones — on a hit as on a miss."""
    url = f"/api/metrics/integrity.findings/?unit={company.pk}&year=2022"
    (jiwei, dangban, jiwei_again, dangban_again), delta = _quiet(
        lambda: [api_as(user).get(url).json() for user in ("jiwei", "dangban", "jiwei", "dangban")])
    assert delta == {"misses": 2, "hits": 2}
    assert jiwei == jiwei_again and dangban == dangban_again
    assert jiwei["hidden_records"] == 0 and dangban["hidden_records"] > 0
    assert set(dangban["record_ids"]) < set(jiwei["record_ids"])
    assert len(dangban["record_ids"]) + dangban["hidden_records"] == len(jiwei["record_ids"])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_list_totals_are_reused_per_query_and_equal_the_direct_count(db, api_as, users):
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import registry, selectors

    rt = registry.get("branch_activity")
    urls = ["/api/branch-activities/?limit=5", "/api/branch-activities/?limit=5&offset=5",
            "/api/branch-activities/?limit=5&kind=committee_meeting"]
    answers, delta = _quiet(lambda: [api_as(user).get(url).json() for user in ("dangban", "zhibu") for url in urls])
    # one total per reader and filter; the second page of the same list reuses the first page's total
    assert delta == {"misses": 4, "hits": 2}
    for user, (first, second, kind) in zip(("dangban", "zhibu"), (answers[:3], answers[3:]), strict=False):
        visible = selectors.visible(rt, scope_for(users[user]))
        assert first["count"] == second["count"] == visible.count()
        assert kind["count"] == visible.filter(kind="committee_meeting").count() < first["count"]
    assert answers[3]["count"] < answers[0]["count"]  # the branch secretary sees their branch only


# --- the data version (lvzhi.web.datachange) -----------------------------------------------------------------

def _other_connection(dbname: str | None = None):
    """A second session on the same server (autocommit), as psql or another program would be."""
    psycopg = pytest.importorskip("psycopg")
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], password=s["PASSWORD"],
                           dbname=dbname or s["NAME"], autocommit=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_work_in_another_database_on_the_server_keeps_the_version(db):
    before = datacache.database_version()
    with _other_connection("postgres") as other:
        other.execute("SELECT txid_current()")  # moved pg_current_snapshot(), the key used before
        other.execute("CREATE TEMP TABLE elsewhere (x int)")
        other.execute("INSERT INTO elsewhere VALUES (1)")
    assert before is not None and datacache.database_version() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_a_committed_write_by_anyone_moves_the_version_and_an_open_one_does_not_yet(db):
    from lvzhi.web import datachange

    before = datacache.database_version()
    with _other_connection() as other:
        with other.transaction():
            other.execute("UPDATE org_unit SET id = id WHERE false")
            assert datacache.database_version() == before  # not committed: no reader sees it yet
        after = datacache.database_version()
        assert after != before
        # a compaction moves no version; each write moves the versions of its table, never back to one seen before
        seen = {before, after}
        units, attachments = datacache.database_version(["org.Unit"]), datacache.database_version(["records.Attachment"])
        seen_units = {units}
        other.execute(f"SELECT setval('{datachange.SEQUENCE}', %s)",
                      [(int(after.rsplit(":", 1)[1]) // datachange.COMPACT_EVERY + 1) * datachange.COMPACT_EVERY - 1])
        other.execute("UPDATE records_attachment SET id = id WHERE false")  # compacts, then announces itself
        assert datacache.database_version(["org.Unit"]) == units
        assert datacache.database_version(["records.Attachment"]) != attachments
        for table in ("org_unit", "records_attachment", "org_unit"):
            other.execute(f"UPDATE {table} SET id = id WHERE false")
            version = datacache.database_version()
            assert version not in seen
            seen.add(version)
            if table == "org_unit":
                units = datacache.database_version(["org.Unit"])
                assert units not in seen_units
                seen_units.add(units)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {datachange.TABLE} WHERE table_name IN ('org_unit', %s)",
                        [datachange.COMPACTED])
            assert cur.fetchone()[0] == 3  # org_unit's two writes since the compaction, the compaction
            cur.execute(f"SELECT count(*) FROM {datachange.FOLDED} WHERE table_name = 'org_unit'")
            assert cur.fetchone()[0] == 1  # its changes before it, folded


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_writes_of_records_alone_compact_the_counter_and_move_no_version(db):
    """Record tables announce their changes per unit; those writes alone must keep the counter's table small, and
    folding the rows must not change any version (it would throw every kept result away)."""
    from lvzhi.web import datachange

    with _other_connection() as other:
        touch = ("UPDATE partybuilding_branchactivity SET id = id "
                 "WHERE id IN (SELECT min(id) FROM partybuilding_branchactivity GROUP BY unit_id)")  # each unit's one
        other.execute(touch)
        other.execute(touch)
        before = {tables: datacache.database_version(tables)
                  for tables in (None, ("org.Unit",), ("partybuilding.BranchActivity",))}
        rows = other.execute(f"SELECT count(*) FROM {datachange.TABLE}").fetchone()[0]
        number = other.execute(f"SELECT last_value FROM {datachange.SEQUENCE}").fetchone()[0]
        other.execute(f"SELECT setval('{datachange.SEQUENCE}', %s)",
                      [(number // datachange.COMPACT_EVERY + 1) * datachange.COMPACT_EVERY - 1])
        other.execute("SELECT lvzhi_compact_changes()")
        assert {tables: datacache.database_version(tables) for tables in before} == before
        datachange._folded_kept.clear()  # read from scratch, not through this process's sums of FOLDED
        assert {tables: datacache.database_version(tables) for tables in before} == before
        assert other.execute(f"SELECT table_name FROM {datachange.TABLE}").fetchall() == [(datachange.COMPACTED,)]
        assert rows > 1 and other.execute(f"SELECT count(*) FROM {datachange.FOLDED} "
                                          "WHERE table_name = 'partybuilding_branchactivity'").fetchone()[0] > 0
        other.execute(touch)  # a write after it still moves the version
        assert datacache.database_version(["partybuilding.BranchActivity"]) != before[("partybuilding.BranchActivity",)]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_one_compaction_at_a_time_and_readers_follow_each(db):
    """A compaction under way (its lock held until it commits) makes another writer leave it to the next: two at
    once could commit out of the order of their numbers, and readers keep the folded sums by that number."""
    from lvzhi.web import datachange

    def compactions(conn):
        return conn.execute(f"SELECT number_ FROM {datachange.TABLE} WHERE table_name = %s",
                            [datachange.COMPACTED]).fetchall()

    with _other_connection() as holder, _other_connection() as writer:
        writer.execute("UPDATE org_unit SET id = id WHERE false")
        before = compactions(writer)
        versions = datacache.database_version(), datacache.database_version(["org.Unit"])
        number = writer.execute(f"SELECT last_value FROM {datachange.SEQUENCE}").fetchone()[0]
        writer.execute(f"SELECT setval('{datachange.SEQUENCE}', %s)",
                       [(number // datachange.COMPACT_EVERY + 1) * datachange.COMPACT_EVERY - 1])
        with holder.transaction():
            holder.execute("SELECT pg_advisory_xact_lock(%s)", [datachange.LOCK])
            writer.execute("UPDATE records_attachment SET id = id WHERE false")  # at the multiple: lock taken
            assert compactions(writer) == before
        writer.execute("UPDATE org_unit SET id = id WHERE false")  # the next one compacts
        assert compactions(writer) != before
        assert datacache.database_version(["org.Unit"]) != versions[1]  # its own write, read after the compaction
        fresh = datacache.database_version(), datacache.database_version(["org.Unit"])
        datachange._folded_kept.clear()
        assert (datacache.database_version(), datacache.database_version(["org.Unit"])) == fresh


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_a_statement_that_touches_no_record_moves_no_version(db):
    """Not even at the multiple of COMPACT_EVERY, where a compaction would move every version (it once made a
    result look changed by ``UPDATE … WHERE false`` on a record table, once in a thousand runs)."""
    from lvzhi.web import datachange

    with _other_connection() as other:
        other.execute("UPDATE org_unit SET id = id WHERE false")  # the counter has numbers
        number = other.execute(f"SELECT last_value FROM {datachange.SEQUENCE}").fetchone()[0]
        edge = (number // datachange.COMPACT_EVERY + 1) * datachange.COMPACT_EVERY - 1
        other.execute(f"SELECT setval('{datachange.SEQUENCE}', %s)", [edge])
        before = datacache.database_version(), datacache.database_version(["org.Unit"])
        for statement in ("UPDATE partybuilding_branchactivity SET id = id WHERE false",
                          "DELETE FROM partybuilding_branchactivity WHERE false",
                          "INSERT INTO partybuilding_branchactivity SELECT * FROM partybuilding_branchactivity "
                          "WHERE false"):
            other.execute(statement)
            assert (datacache.database_version(), datacache.database_version(["org.Unit"])) == before, statement
        assert other.execute(f"SELECT last_value FROM {datachange.SEQUENCE}").fetchone()[0] == edge  # none taken


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the data version exists on PostgreSQL only")
def test_every_table_of_the_site_announces_its_changes(db):
    from lvzhi.web import datachange

    with connection.cursor() as cur:
        cur.execute("""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relkind = 'r' AND n.nspname = current_schema() AND NOT EXISTS
                       (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)""", [datachange.TRIGGER])
        untracked = {name for (name,) in cur.fetchall()}
    assert untracked == datachange.UNTRACKED & untracked and "records_attachment" not in untracked
    assert {"org_unit", "partybuilding_branchactivity", "integrity_accountability"}.isdisjoint(untracked)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_a_shared_redis_cache_serves_a_result_to_another_worker(db):
    """LVZHI_RESULTS_CACHE_URL: a result computed by one worker is found by another (a fresh cache client, as in
    another process), under the same data version and release only."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("没有可用的 Redis（127.0.0.1:6379）")
    from django.test import override_settings

    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "lvzhi-test"}
    redis.Redis.from_url(url).flushdb()
    calls = []
    for _ in range(2):  # two workers: override_settings gives each a new cache client with nothing in memory
        with override_settings(CACHES={"default": shared, "results": shared}):
            assert datacache.cached("test.shared", (1,), lambda: calls.append(1) or "值") == "值"
    assert calls == [1]


# --- reuse declared on the selectors (datacache.reused) -----------------------------------------------------

def _home(user):
    """The workbench as the view answers it, without a login (which would write, and a transaction that wrote
    never reuses results)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from lvzhi.web import views

    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return views.home(request)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_the_workbench_is_reused_through_its_selectors_without_calling_datacache(db, users, company):
    import inspect

    from lvzhi.metrics import api as metrics_api
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import views as records_views
    from lvzhi.reports import views as reports_views
    from lvzhi.web import selectors, views

    for module in (views, records_views, metrics_api, reports_views):
        assert "datacache.cached" not in inspect.getsource(module)
    import lvzhi

    doors = [f for f in Path(lvzhi.__file__).parent.rglob("*.py") if f.stem.endswith(("views", "api"))]
    assert len(doors) > 20 and not [f.name for f in doors if "datacache.cached" in f.read_text(encoding="utf-8")]
    scope, year = scope_for(users["dangban"]), 2022  # the demo's full year
    counts = selectors.year_counts.__wrapped__(scope, company, year)
    (first, second), delta = _quiet(lambda: [_home(users["dangban"]).content.decode() for _ in range(2)])
    # counts, tree, to-do and the unit switcher: each computed once, and each record type's count inside the first
    # (with its pieces, where the type has a unit: web/pieces.py, one computation for all of them)
    from lvzhi.records import registry

    pieced = sum(1 for key, _ in counts if registry.get(key).unit_field) if company.numchild else 0
    # (each type's count is kept by the type, and by its query inside: web.year_count, totals.count)
    assert delta == {"misses": 4 + 2 * len(counts) + pieced, "hits": 4}
    tokens = re.compile(r"[A-Za-z0-9]{64}")  # the page's CSRF token differs per request
    assert tokens.sub("", first) == tokens.sub("", second) and "我的待办" in first and "unit-tree" in first
    assert counts == selectors.year_counts(scope, company, year) and any(n for _, n in counts)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_a_result_declared_on_its_tables_survives_writes_elsewhere_only(db, users, company):
    from lvzhi.org.scoping import scope_for
    from lvzhi.web import selectors

    scope = scope_for(users["dangban"])
    datacache.forget()
    with _other_connection() as other:
        # a statement that changes no row: a table announced per unit (records, people) announces nothing, one
        # announced per statement (org_unit) moves the version of the results that read it
        for table, reused in (("partybuilding_branchactivity", True), ("org_person", True),
                              ("integrity_accountability", True), ("org_unit", False)):
            selectors.home_tree(scope, company)  # computed, or found
            before = dict(datacache.stats)
            other.execute(f"UPDATE {table} SET id = id WHERE false")
            tree = selectors.home_tree(scope, company)
            assert datacache.stats["hits"] - before["hits"] == int(reused), table
            assert tree == selectors.home_tree.__wrapped__(scope, company)


def test_reused_keys_by_arguments_and_refuses_what_it_cannot_key(db, company):
    from lvzhi.metrics.catalogue import CATALOGUE
    from lvzhi.metrics.compute import Period
    from lvzhi.records import registry

    period = Period(dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert datacache.key_part(company) == ("org.Unit", company.pk)
    assert datacache.key_part(registry.get("branch_activity")) == ("RecordType", "branch_activity")
    assert datacache.key_part(CATALOGUE[0]) == ("Metric", CATALOGUE[0].id)
    assert datacache.key_part(period) == ("Period", dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    with pytest.raises(datacache.Unkeyable):
        datacache.key_part(object())

    @datacache.reused("test.args")
    def doubled(unit, year: int, scope=None) -> int:
        return year * 2

    assert doubled(company, 2022) == 4044


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="results are reused on PostgreSQL only")
def test_a_write_recounts_its_own_type_of_the_workbench_only(db, users, company):
    """After a 支部活动 is saved, the workbench's counts recount 支部活动 alone; the other types' counts are found
    by their type, without their queries being built."""
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import selectors as records_selectors
    from lvzhi.web import selectors

    scope = scope_for(users["dangban"])
    datacache.forget()
    counts = selectors.year_counts(scope, company, 2022)
    built = []
    original = records_selectors.filter_records

    def watched(rt, *args, **kwargs):
        built.append(rt.key)
        return original(rt, *args, **kwargs)

    with _other_connection() as other:
        other.execute("UPDATE partybuilding_branchactivity SET id = id "
                      "WHERE id = (SELECT min(id) FROM partybuilding_branchactivity)")
    with pytest.MonkeyPatch.context() as patch:  # watched, not replaced: the real query is built and counted
        patch.setattr(records_selectors, "filter_records", watched)
        again = selectors.year_counts(scope, company, 2022)
    assert again == counts == selectors.year_counts.__wrapped__(scope, company, 2022)
    assert built == ["branch_activity"]
