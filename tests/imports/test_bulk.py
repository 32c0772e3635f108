"""What writing in bulk must keep: a bad row in a later batch still leaves nothing written and is named; every new
record has its one audit entry and the chain verifies; ids of deleted records are never handed out again; changed
rows are audited as updates, and a record changed by someone else meanwhile stops the whole import.

The batch sizes are made small here so a sheet of a hundred rows crosses every batch boundary (the real ones are
thousands of rows)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

import per_database
from lvzhi.audit.models import AuditEntry
from lvzhi.audit.services import verify_chain
from lvzhi.imports import validation, writing
from lvzhi.imports.importer import ImportResult, prepare, run_import, write
from lvzhi.imports.reader import open_sheet
from lvzhi.org.models import Person
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import StudySession
from lvzhi.records import bulk, registry, services

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything()
SESSION = registry.get("study_session")
HEADERS = ["所属单位", "学习类别", "日期", "学习主题"]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(validation, "BATCH", 40)
    monkeypatch.setattr(writing, "BATCH", 30)
    monkeypatch.setattr(bulk, "BATCH", 25)


def sessions(n, bad_row=None):
    rows = [HEADERS]
    for i in range(n):
        day = "2023-02-30" if i + 2 == bad_row else f"2023-03-{i % 28 + 1:02d}"
        rows.append(["JH01-P03", "中心组集体学习", day, f"批量写入测试{i}"])
    return rows


def test_a_bad_row_in_a_later_batch_leaves_nothing_written(small_batches, spreadsheet):
    before = (StudySession.objects.count(), AuditEntry.objects.count())
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(120, bad_row=101)), actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == ["第101行「日期」：日期“2023-02-30”不存在"]
    assert (StudySession.objects.count(), AuditEntry.objects.count()) == before


def test_every_record_written_in_bulk_has_its_audit_entry_and_the_chain_verifies(small_batches, spreadsheet,
                                                                                  contact_plant):
    gone = services.create_record(SESSION, {"unit": contact_plant, "kind": "central_group",
                                            "date": dt.date(2023, 1, 5), "title": "将删除"},
                                  actor="测试", scope=EVERYTHING)
    gone_pk = gone.pk  # the highest id given so far
    services.delete_record(SESSION, gone, actor="测试", scope=EVERYTHING)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(120)), actor="测试", scope=EVERYTHING)
    assert result.ok and result.created == 120, [str(e) for e in result.errors]
    new = StudySession.objects.filter(title__startswith="批量写入测试")
    ids = set(new.values_list("pk", flat=True))
    assert len(ids) == 120 and min(ids) > gone_pk  # a deleted record's id is not handed out again
    entries = AuditEntry.objects.filter(seq__gt=last)
    assert sorted(int(e.object_id) for e in entries) == sorted(ids)
    assert {e.action for e in entries} == {"import"}
    one = entries.get(object_id=str(min(ids)))
    assert one.after["title"] == new.get(pk=min(ids)).title and one.after["unit_id"] is not None
    assert verify_chain().ok


def test_changed_rows_are_written_together_and_audited_as_updates(spreadsheet):
    people = list(Person.objects.filter(unit__code="JH01-P03").order_by("code")[:3])
    rows = [["工号", "学历"]] + [[p.code, "大专"] for p in people]
    result = run_import(registry.get("person"), spreadsheet("p.xlsx", rows), actor="测试", scope=EVERYTHING,
                        mode="update")
    assert result.ok and result.updated == 3, [str(e) for e in result.errors]
    for p in people:
        now = Person.objects.get(pk=p.pk)
        assert (now.education, now.version) == ("college", p.version + 1)
        entry = AuditEntry.objects.filter(model="org.person", object_id=str(p.pk)).order_by("-seq").first()
        assert entry.action == "update" and entry.after == {"education": "college"}
        assert entry.before == ({"education": p.education} if p.education != "college" else {})
    assert verify_chain().ok


def test_a_record_changed_meanwhile_stops_the_whole_update(spreadsheet):
    people = list(Person.objects.filter(unit__code="JH01-P03").order_by("code")[:2])
    rt = registry.get("person")
    sheet = open_sheet(spreadsheet("p.xlsx", [["工号", "学历"]] + [[p.code, "中专及以下"] for p in people]))
    result = ImportResult(rt.key)
    plan = prepare(rt, sheet, result, scope=EVERYTHING, mode="update")
    sheet.close()
    assert result.ok
    services.update_record(rt, people[1], {"name": people[1].name + "改"}, actor="测试", scope=EVERYTHING)
    with pytest.raises(ValidationError, match="被他人修改"), transaction.atomic():
        write(plan, result, actor="测试", scope=EVERYTHING)
    assert Person.objects.get(pk=people[0].pk).education == people[0].education


def test_a_blank_choice_that_may_be_left_open_imports_as_empty(spreadsheet):
    rows = [["工号", "姓名", "性别", "所在单位", "学历"], ["T-BLANK-1", "空学历", "男", "JH01-P03", None]]
    result = run_import(registry.get("person"), spreadsheet("p.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.get(code="T-BLANK-1").education == ""


def test_cells_parsed_once_per_text_still_name_every_bad_row_and_keep_their_own_values(spreadsheet):
    """A choice or a name is parsed once per distinct text of its column: a bad text repeated is still named on
    every row it is in, and the rows around it keep their own values."""
    rows = [["工号", "姓名", "性别", "所在单位", "学历"]]
    for i, (gender, education) in enumerate([("男", "硕士研究生"), ("男的", None), ("女", "硕士研究生"),
                                             ("男的", "大学本科"), ("男", None)]):
        rows.append([f"T-MEMO-{i}", f"记忆{i}", gender, "JH01-P03", education])
    result = run_import(registry.get("person"), spreadsheet("p.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert [(e.row, e.column) for e in result.errors] == [(3, "性别"), (5, "性别")], [str(e) for e in result.errors]
    rows[2][2] = rows[4][2] = "女"
    result = run_import(registry.get("person"), spreadsheet("q.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    got = {p.code: (p.gender, p.education) for p in Person.objects.filter(code__startswith="T-MEMO-")}
    assert got == {"T-MEMO-0": ("male", "postgraduate"), "T-MEMO-1": ("female", ""), "T-MEMO-2": ("female", "postgraduate"),
                   "T-MEMO-3": ("female", "bachelor"), "T-MEMO-4": ("male", "")}


def test_rows_built_without_model_init_equal_model_objects():
    """validation._new fills a new object's __dict__ directly where Model.__init__ would do only that: for every
    record type, the object built from no values equals model() — the same attributes and defaults, a new object's
    state — and a related object given by a cell is kept as its id with the object cached."""
    from lvzhi.imports.validation import _new
    from lvzhi.org.models import Unit
    from lvzhi.records import registry

    for rt in registry.all_types():
        built, plain = _new(rt.model, {}), rt.model()
        assert {k: v for k, v in built.__dict__.items() if k != "_state"} == \
            {k: v for k, v in plain.__dict__.items() if k != "_state"}, rt.key
        assert built._state.adding and built._state.db is None and built.pk is None, rt.key
    unit = Unit.objects.first()
    model = next(t.model for t in registry.all_types() if any(f.name == "unit" for f in t.model._meta.concrete_fields))
    obj = _new(model, {"unit": unit})
    assert obj.unit_id == unit.pk and obj.unit is unit


@per_database.only_on_postgresql
def test_copy_stores_rows_while_the_next_are_made():
    """On PostgreSQL bulk writes stream a generator through one COPY: the server stores rows (pg_stat_progress_copy,
    read from a second connection) while the generator is still making the rest, so its work overlaps the
    making of the rows instead of following it; every row arrives."""
    import time

    import psycopg
    from django.db import connection

    from lvzhi.records import bulk, registry

    rt = next(t for t in registry.all_types() if t.m2m_fields)
    field = rt.model_field(rt.m2m_fields[0])
    through = field.remote_field.through
    with connection.cursor():
        pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    progress = []

    def stored_by_server() -> int:
        with psycopg.connect(dbname=s["NAME"], host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"],
                             password=s["PASSWORD"] or None, autocommit=True) as other:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                row = other.execute("SELECT tuples_processed FROM pg_stat_progress_copy WHERE pid = %s",
                                    [pid]).fetchone()
                if row and row[0]:
                    return row[0]
                time.sleep(0.05)
        return 0

    def pairs():  # record 1 and related ids that need not exist: foreign keys are checked at commit, never here
        for i in range(1, 30_001):
            if i == 25_000:  # ~300 KB sent by now (psycopg sends every 32 KB)
                progress.append(stored_by_server())
            yield (1, i)

    with transaction.atomic():
        bulk.insert_links(field, pairs())
        assert progress[0] > 0
        assert through.objects.filter(**{f"{field.m2m_field_name()}_id": 1}).count() >= 30_000
        transaction.set_rollback(True)


def test_a_fields_check_runs_once_per_value_and_a_bad_value_is_named_on_every_row(spreadsheet, monkeypatch):
    """validation._clean_fields asks a field's clean() once per distinct value (rows repeat a few counts); a value
    it refuses is not remembered, so every row holding it is still named."""
    field = StudySession._meta.get_field("expected_count")
    calls = []

    def counted(value):
        calls.append(value)

    monkeypatch.setattr(field, "validators", [*field.validators, counted])  # the cached property, for this test
    rows = [[*HEADERS, "应到人数"]]
    for i in range(60):
        rows.append(["JH01-P03", "中心组集体学习", f"2023-04-{i % 28 + 1:02d}", f"一次校验{i}", 12 if i % 3 else 30])
    result = run_import(SESSION, spreadsheet("c.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert sorted(calls) == [12, 30]
    rows = [rows[0], *([*r[:3], f"另一次{r[3]}", r[4]] for r in rows[1:])]
    rows[5][4] = rows[9][4] = -3
    result = run_import(SESSION, spreadsheet("d.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert [(e.row, e.column) for e in result.errors] == [(6, "应到人数"), (10, "应到人数")], \
        [str(e) for e in result.errors]


def test_objects_fetched_without_model_init_equal_the_orms():
    """bulk.fetch builds a queryset's objects without Model.__init__ (an import resolves ~300,000 people that way):
    the same objects as the ORM's, field by field, as saved objects of the same database; a queryset selecting
    more or less than the fields (related objects, chosen fields) goes through the ORM."""
    from lvzhi.org.models import PartyOrg, Unit

    for model in (Person, PartyOrg, Unit):
        assert bulk.plain_attnames(model), model
        qs = model.objects.order_by("pk")[:50]
        mine, orms = bulk.fetch(qs), list(qs)
        assert [type(o) for o in mine] == [type(o) for o in orms] and len(mine) == 50
        for a, b in zip(mine, orms, strict=True):
            assert {k: v for k, v in a.__dict__.items() if k != "_state"} == \
                {k: v for k, v in b.__dict__.items() if k != "_state"}
            assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")
            assert str(a) == str(b)
    related = Person.objects.select_related("unit").order_by("pk")[:3]
    assert all(Person.unit.is_cached(p) for p in bulk.fetch(related))
