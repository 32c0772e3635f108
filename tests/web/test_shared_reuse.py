"""Reused results after a write (lvzhi.web.datacache), on SQLite and PostgreSQL alike: one request recomputes
while the others are served the previous result with its time; the writer's next page shows their write; a write
in one unit leaves another unit's result as it was."""

import contextvars
import datetime as dt
import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection, connections
from django.db.models import F
from django.test import Client, override_settings

from lvzhi.web import datacache

# committed data (a transaction that wrote reuses nothing); the request that finds a result out of date recomputes it
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inline")]


@pytest.fixture
def inline(settings):
    settings.RESULTS_REFRESH = "inline"

calls: list[int] = []  # the units ``activities`` was computed for, in order
during: list = []  # run while ``activities`` computes: what a concurrent request would do meanwhile


@datacache.reused("test.branch_activities", subtree="unit")
def activities(unit) -> int:
    """A subtree's number of 支部活动 — a stand-in for a page's whole-subtree computation that counts its runs."""
    from lvzhi.partybuilding.models import BranchActivity

    calls.append(unit.pk)
    while during:
        during.pop()()
    return BranchActivity.objects.filter(unit__path__startswith=unit.path).count()


@pytest.fixture
def tree(committed_demo):
    """The company and two of its units that have Party branches with activities."""
    from lvzhi.org.models import Unit
    from lvzhi.partybuilding.models import BranchActivity

    top = Unit.objects.get(code="JH01")
    kids = [u for u in Unit.objects.filter(path__startswith=top.path, depth=top.depth + 1).order_by("path")
            if BranchActivity.objects.filter(unit__path__startswith=u.path).exists()]
    assert len(kids) >= 2
    datacache.forget()
    calls.clear()
    during.clear()
    return top, kids[0], kids[1]


def _write(user, unit) -> None:
    """One 支部活动 saved in ``unit`` through the records service, as a form saves it."""
    from lvzhi.org.models import PartyOrg, PartyOrgKind
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import registry, services

    org = PartyOrg.objects.filter(unit__path__startswith=unit.path, kind=PartyOrgKind.BRANCH).order_by("pk").first()
    services.create_record(registry.get("branch_activity"),
                           {"party_org": org, "kind": "themed_day", "date": dt.date(2022, 6, 1), "title": "复用测试"},
                           actor=user, scope=scope_for(user))


def test_after_a_write_one_request_recomputes_and_the_others_get_the_previous_result_with_its_time(tree, users):
    top, _, b = tree
    first = activities.timed(top)
    assert activities.timed(top) == first and calls == [top.pk]  # a hit
    time.sleep(0.01)
    _write(users["dangban"], b)
    seen: list = []
    # three requests arrive while the first one after the write recomputes (each a request of its own: not
    # inside that computation, whose parts are never served out of date)
    during.append(lambda: seen.extend(contextvars.Context().run(activities.timed, top) for _ in range(3)))
    after = activities.timed(top)
    assert calls == [top.pk, top.pk]  # one recomputation
    assert after.value == first.value + 1 and not after.stale and after.at > first.at
    assert [(s.value, s.at, s.stale) for s in seen] == [(first.value, first.at, True)] * 3
    assert activities.timed(top) == after and len(calls) == 2


@override_settings(RESULTS_MAX_STALE=0)
def test_with_no_staleness_allowed_readers_wait_for_the_refresh_or_compute(tree, users):
    top, _, b = tree
    first = activities(top)
    _write(users["dangban"], b)
    caches["results"].add(activities.key(top) + datacache.REFRESHING, "another request", 2)
    assert activities.timed(top).value == first + 1  # waited for the other request (gone: its lock expired)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="threads need a connection each: PostgreSQL")
def test_concurrent_requests_after_a_write_cause_one_recomputation(tree, users):
    top, _, b = tree
    first = activities.timed(top)
    _write(users["dangban"], b)
    during.append(lambda: time.sleep(1.0))  # the recomputation takes a while
    start, answers = threading.Barrier(6), []

    def request():
        start.wait()
        try:
            answers.append(activities.timed(top))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 2  # one recomputation for six requests
    fresh = [a for a in answers if not a.stale]
    assert len(fresh) == 1 and fresh[0].value == first.value + 1
    assert all((a.value, a.at) == (first.value, first.at) for a in answers if a.stale) and len(answers) == 6


def _late(html: str) -> int:
    return int(html.split('class="stat late"><div class="n">')[1].split("<")[0])


@override_settings(RESULTS_MAX_STALE=1)
def test_a_writer_sees_their_write_on_the_next_page_while_another_reader_may_get_the_previous_one(tree, users):
    from lvzhi.obligations import dashboard as board
    from lvzhi.org.scoping import scope_for
    from lvzhi.partybuilding.models import ActivityKind, BranchActivity

    top = tree[0]
    dangban = users["dangban"]
    writer, reader = Client(), Client()
    writer.force_login(dangban)
    reader.force_login(dangban)  # the same rights: the same reused board
    url = f"/obligations/dashboard/?unit={top.pk}&year=2022&as_of=2022-12-31"
    before = _late(reader.get(url).content.decode())
    assert _late(writer.get(url).content.decode()) == before  # reused
    meeting = BranchActivity.objects.filter(kind=ActivityKind.COMMITTEE_MEETING, date__year=2022).order_by("pk").first()
    assert writer.post(f"/records/branch_activity/{meeting.pk}/delete/").status_code == 302
    # another request is recomputing the board right now
    key = board.board_html.key(scope_for(dangban), top, dt.date(2022, 1, 1), dt.date(2022, 12, 31),
                               dt.date(2022, 12, 31))
    assert caches["results"].add(key + datacache.REFRESHING, "another request", 3)
    page = reader.get(url).content.decode()
    assert _late(page) == before and "正在重新计算" in page  # the previous board, said to be so, with its time
    page = writer.get(url).content.decode()
    assert _late(page) == before + 1 and "正在重新计算" not in page  # the writer's own write (waited for the refresh)


def test_a_write_in_one_unit_leaves_another_units_results(tree, users):
    from lvzhi.obligations import dashboard as board
    from lvzhi.org.scoping import scope_for
    from lvzhi.partybuilding.models import BranchActivity

    top, a, b = tree
    dangban = users["dangban"]
    scope = scope_for(dangban)
    year = (dt.date(2022, 1, 1), dt.date(2022, 12, 31), dt.date(2022, 12, 31))
    in_a, in_top = activities(a), activities(top)
    board_a = board.board_html(scope, a, *year)
    misses = datacache.stats["misses"]
    _write(dangban, b)
    assert activities(a) == in_a and board.board_html(scope, a, *year) == board_a
    assert datacache.stats["misses"] == misses  # neither recomputed
    assert activities(top) == in_top + 1 and calls == [a.pk, top.pk, top.pk]
    # a change in the unit's subtree that bypasses the services (psql, a bulk load) moves its version
    with connection.cursor() as cur:
        cur.execute("UPDATE partybuilding_branchactivity SET title = title WHERE id = %s",
                    [BranchActivity.objects.filter(unit__path__startswith=a.path).values_list("pk", flat=True)[0]])
    assert activities(a) == in_a and calls[-1] == a.pk and len(calls) == 4


@datacache.reused("test.above", subtree="unit")
def rows_of_the_unit_above(unit, table: str) -> int:
    """A result under ``unit`` that reads a row of its parent (as figures read a declaration of a unit above)."""
    calls.append(unit.pk)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table} WHERE unit_id = %s", [unit.__class__.objects.get_parent(unit).pk])
        return cur.fetchone()[0]


def test_a_change_of_a_unit_above_moves_the_results_below_it_and_not_beside_it(tree):
    from lvzhi.web import datachange

    top, a, b = tree
    def has_rows(cur, t, unit) -> bool:
        cur.execute(f"SELECT count(*) FROM {t} WHERE unit_id = %s", [unit.pk])
        return cur.fetchone()[0] > 0

    with connection.cursor() as cur:  # a record table (announced per unit) with rows of the company's own and b's
        table = next(t for t in sorted(datachange.narrowed_tables())
                     if t != "audit_auditentry" and has_rows(cur, t, top) and has_rows(cur, t, b))
    first = rows_of_the_unit_above(a, table)
    assert rows_of_the_unit_above(a, table) == first and calls == [a.pk]  # kept
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET id = id WHERE unit_id = %s", [b.pk])  # beside a: a's result kept
    assert rows_of_the_unit_above(a, table) == first and calls == [a.pk]
    with connection.cursor() as cur:  # the unit above's own row: a's result recomputed
        cur.execute(f"UPDATE {table} SET id = id WHERE id = (SELECT min(id) FROM {table} WHERE unit_id = %s)",
                    [top.pk])
    assert rows_of_the_unit_above(a, table) == first and calls == [a.pk, a.pk]


def test_inside_an_atomic_block_that_wrote_nothing_is_reused(tree, users):
    from django.db import transaction

    top, _, b = tree
    with transaction.atomic():
        _write(users["dangban"], b)
        assert datacache.database_version() is None
        activities(top)
        activities(top)
    assert len(calls) == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a refresh thread needs its own connection")
def test_in_the_background_the_request_that_finds_a_result_out_of_date_is_served_the_previous_one(tree, users, settings):
    settings.RESULTS_REFRESH = "background"
    top, _, b = tree
    first = activities.timed(top)
    _write(users["dangban"], b)
    served = activities.timed(top)
    assert (served.value, served.at, served.stale) == (first.value, first.at, True)  # nobody waits
    lock = activities.key(top) + datacache.REFRESHING
    for _ in range(200):
        if caches["results"].get(lock) is None:
            break
        time.sleep(0.05)
    after = activities.timed(top)
    assert after.value == first.value + 1 and not after.stale and len(calls) == 2


talk_calls: list[int] = []


@datacache.reused("test.integrity_talks", subtree="unit")
def talks(unit) -> int:
    """Reads 谈话 records only (and the unit tree): a 支部活动 saved must not throw it away."""
    from lvzhi.integrity.models import IntegrityTalk

    talk_calls.append(unit.pk)
    return IntegrityTalk.objects.filter(unit__path__startswith=unit.path).count()


@datacache.reused("test.both", subtree="unit")
def both(unit) -> tuple[int, int]:
    """An outer result made of two inner ones: it reads, through them, what each of them read."""
    return talks(unit), activities(unit)


def test_a_result_is_kept_through_writes_to_tables_it_did_not_read_and_follows_those_it_did(tree, users):
    """No result lists its tables by hand: the tables its statements name are watched (lvzhi.web.readset)."""
    from lvzhi.integrity.models import IntegrityTalk
    from lvzhi.partybuilding.models import BranchActivity

    top, _, b = tree
    talk_calls.clear()
    first = talks(top)
    _write(users["dangban"], b)  # a 支部活动: a table talks() never read
    assert talks(top) == first and talk_calls == [top.pk]  # kept
    outer = both(top)
    assert outer == (first, BranchActivity.objects.filter(unit__path__startswith=top.path).count())
    assert len(calls) == 1
    _write(users["dangban"], b)
    # the outer result read 支部活动 through activities(), whose value changed: recomputed, talks() still kept
    assert both(top) == (first, outer[1] + 1) and talk_calls == [top.pk] and len(calls) == 2
    # now a 谈话 changed (in place: the count stays): talks() and the outer result follow it
    IntegrityTalk.objects.filter(pk=IntegrityTalk.objects.filter(unit__path__startswith=b.path).first().pk).update(
        date=F("date"))
    assert both(top) == (first, outer[1] + 1) and talk_calls == [top.pk, top.pk] and len(calls) == 2
    assert both(top) == (first, outer[1] + 1) and talk_calls == [top.pk, top.pk]  # and kept again


def test_the_tables_of_a_statement_are_the_site_tables_it_names():
    from lvzhi.web import readset

    sql = ('SELECT COUNT(*) FROM "integrity_integritytalk" INNER JOIN "org_unit" U1 ON (U1."id" = unit_id) '
           'WHERE U1."path" LIKE %s AND id IN (SELECT V0.integritytalk_id FROM integrity_integritytalk_people V0)')
    assert readset.tables_in(sql) == {"integrity_integritytalk", "org_unit", "integrity_integritytalk_people"}
    assert readset.tables_in("SELECT max(number_) FROM lvzhi_datachange") == set()  # not a table of a model


@datacache.reused("test.unit_name")
def unit_name(unit) -> str:
    """Reads nothing itself: the unit was loaded before — its row is still data this result depends on."""
    return unit.name


def test_a_result_follows_the_rows_of_the_model_instances_it_was_given(tree):
    from lvzhi.org.models import Unit

    top, a, _ = tree
    assert unit_name(a) == a.name
    Unit.objects.filter(pk=a.pk).update(name="改名后的单位")
    assert unit_name(Unit.objects.get(pk=a.pk)) == "改名后的单位"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the shared cache is a table on PostgreSQL")
def test_while_another_request_refreshes_a_process_serves_its_copy_without_asking_each_time(tree, users):
    from django.test.utils import CaptureQueriesContext

    top, _, b = tree
    first = activities.timed(top)
    _write(users["dangban"], b)
    caches["results"].add(activities.key(top) + datacache.REFRESHING, "another request", 30)

    def shared_reads() -> tuple[int, datacache.Timed]:
        with CaptureQueriesContext(connection) as queries:
            answer = activities.timed(top)
        return sum(datacache.datachange.RESULTS_TABLE in q["sql"] for q in queries.captured_queries), answer

    reads, answer = shared_reads()  # finds the refresh under way: the previous result
    assert reads > 0 and (answer.value, answer.stale) == (first.value, True)
    reads, answer = shared_reads()  # a moment later: its own copy, no round trip to the shared cache
    assert reads == 0 and (answer.value, answer.stale) == (first.value, True)
    time.sleep(datacache.RECHECK)
    caches["results"].delete(activities.key(top) + datacache.REFRESHING)  # that request went away
    reads, answer = shared_reads()  # looks again: now refreshes itself
    assert reads > 0 and answer.value == first.value + 1 and not answer.stale
    assert len(calls) == 2


def test_the_results_used_inside_a_computation_read_the_counter_once(tree, users):
    """The workbench's thirty counts, each reused on its own, inside the workbench's result: one reading of the
    change counter for all of them (they share the computation's), not one each."""
    from django.test.utils import CaptureQueriesContext

    from lvzhi.org.scoping import scope_for
    from lvzhi.web import datachange, selectors

    top = tree[0]
    scope = scope_for(users["dangban"])
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.year_counts(scope, top, 2022)
    readings = sum(datachange.TABLE in q["sql"] for q in queries.captured_queries)
    # the workbench's own, the counts' and their pieces' (web/pieces.py; SQLite: two statements each)
    assert len(counts) > 10 and readings <= 6
    assert counts == selectors.year_counts.__wrapped__(scope, top, 2022)


@datacache.reused("test.figure_values", subtree="unit")
def figures_kept(unit, year: int) -> dict:
    """A page's result made of the year's figures (as the evidence is): its parts are kept one by one."""
    from lvzhi.metrics.selectors import figure_values

    return figure_values(unit, year)


def test_figures_reused_piece_by_piece_equal_the_figures_computed_whole_after_writes(tree, users):
    """Report figures are kept per record type (grouped counts) and per figure: after writes they still equal
    a computation from scratch, and a write recomputes the pieces of its own record type only."""
    from lvzhi.metrics.catalogue import CATALOGUE
    from lvzhi.metrics.selectors import figures_for_year

    top, a, b = tree

    def whole(unit, year):  # the figures as the report computes them (nothing kept: forgotten first)
        datacache.forget()
        return {i: f.value for i, f in figures_for_year(unit, year).items()}

    before = {unit.pk: figures_kept(unit, 2022) for unit in (top, a)}
    assert before == {unit.pk: whole(unit, 2022) for unit in (top, a)}
    for unit in (top, a):
        figures_kept(unit, 2022)  # kept again
    _write(users["dangban"], b)
    misses = datacache.stats["misses"]
    after = {unit.pk: figures_kept(unit, 2022) for unit in (top, a)}  # a's subtree had no write: all kept
    assert 1 < datacache.stats["misses"] - misses < len(CATALOGUE) // 2  # the whole and 支部活动's pieces only
    assert after[top.pk] != before[top.pk] and after[a.pk] == before[a.pk]
    assert after == {unit.pk: whole(unit, 2022) for unit in (top, a)}


def test_a_computation_never_uses_an_out_of_date_part(tree, users):
    """Inside a result being computed, a part another request is refreshing is waited for, not served as it was:
    the whole would be kept as current while made of old data."""
    top, _, b = tree
    old = both(top)
    _write(users["dangban"], b)
    caches["results"].add(activities.key(top) + datacache.REFRESHING, "another request", 2)  # gone in 2 s
    assert activities.timed(top).stale  # a page asking for the part alone gets it at once, marked as such
    assert both(top) == (old[0], old[1] + 1)  # the whole waited for the part
