"""Report templates: user-written text rendered in Jinja2's sandbox into a document of headings and paragraphs.

A template is plain text. Lines are paragraphs; lines starting 一、 / （一） / 1. / （1） are headings at the four
official levels; ``@标题`` ``@署名`` ``@落款`` ``@日期`` set the title (``||`` breaks it), the name under the title, the
signature and the date. Placeholders call ``m("metric.id")`` for figures and fact functions for words, with an
explicit phrasing filter (``| duo``, ``| jin``, ``| wan`` …). The writer's own sections are
``{% call writer("problems", "存在的问题和不足") %}default text{% endcall %}``.

Every figure and fact is emitted as a token that remembers where it came from, so the HTML preview links each one
to its records and the finalised snapshot stores each value with its record ids. A missing figure becomes a
visible 【待补充：…】 and a warning; a template error names its line.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SecurityError

from lvzhi.metrics import catalogue
from lvzhi.metrics.compute import Figure, Period, compute_kept, compute_many
from lvzhi.org.models import Person, Unit
from lvzhi.web.datacache import cached, key_part, within_computation

from . import bounded, phrasing
from .facts import Fact, Facts
from .missing import MissingValue, part_label

TOKEN = re.compile("\ue000(\\d+)\ue001")
HEADING = [
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^（\d+）")),
]
DIRECTIVES = {"@标题": "title", "@署名": "author", "@落款": "signature", "@日期": "date"}


class TemplateProblem(Exception):
    """A template cannot be rendered; ``line`` is the template line when known."""

    def __init__(self, message: str, line: int | None = None):
        self.line, self.detail = line, message
        super().__init__(f"模板第 {line} 行：{message}" if line else f"模板错误：{message}")


class TemplateLimit(TemplateProblem):
    """A template went past a limit (``kind``: time, memory, output); the message says which, in Chinese."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        self.kind = kind
        super().__init__(message, line)


@dataclass
class Token:
    text: str
    kind: str  # figure | fact | missing
    label: str
    metric: str = ""
    unit_id: int | None = None
    value: str | None = None
    phrasing: str = ""
    records: list = field(default_factory=list)  # (model label, pk)
    reason: str = ""
    measure: str = ""  # the metric's measure (次、%、个百分点 …)


@dataclass
class Block:
    kind: str  # title | author | heading | paragraph | signature | date
    text: str  # with tokens
    level: int = 0
    writer: str = ""  # key of the writer's section this paragraph came from


@dataclass
class Document:
    blocks: list[Block]
    tokens: list[Token]
    warnings: list[str]
    figures: dict = field(default_factory=dict)  # (metric, unit_id) → Figure
    unit_name: str = ""  # the reporting unit: the file's author when the report has no signer

    def text_of(self, block: Block) -> str:
        return TOKEN.sub(lambda mo: self.tokens[int(mo.group(1))].text, block.text)

    def plain_lines(self, kinds=("heading", "paragraph")) -> list[str]:
        return [self.text_of(b) for b in self.blocks if b.kind in kinds]

    def first(self, kind: str) -> str:
        return next((self.text_of(b) for b in self.blocks if b.kind == kind), "")


class UnitHandle:
    """A unit as a template sees it: its name, nothing it could use to reach other data."""

    def __init__(self, unit: Unit):
        self._unit = unit
        self.name = unit.name
        self.code = unit.code

    def __str__(self):
        return self.name


class FigureRef:
    """``m("…")`` in a template: prints exactly by default; filters choose other phrasings."""

    def __init__(self, ctx: "RenderContext", figure: Figure):
        self._ctx, self._figure = ctx, figure
        self.value = figure.value if not figure.is_missing else MissingValue(ctx, figure.metric.label, figure.missing,
                                                                             figure.metric.id)
        self.label = figure.metric.label
        self.measure = figure.metric.measure
        self.missing = figure.is_missing

    def __str__(self):
        return self._ctx.emit_figure(self._figure, "exact")


class FactRef:
    def __init__(self, ctx: "RenderContext", fact: Fact):
        self._ctx, self._fact = ctx, fact
        self.value = MissingValue(ctx, fact.label, "没有找到相应记录") if fact.missing else fact.value
        self.label = fact.label
        self.missing = fact.missing
        for k, v in fact.attrs.items():
            if isinstance(v, Unit):
                v = UnitHandle(v)
            elif v is None or (isinstance(v, (int, Decimal)) and not isinstance(v, bool)):
                # numbers stay traceable; a part not recorded is missing under its Chinese name, never “None”
                v = FactRef(ctx, Fact(part_label(fact.label, k), v, fact.records if v is not None else []))
            setattr(self, k, v)

    def __str__(self):
        return self._ctx.emit_fact(self._fact)

    def __bool__(self):
        return not self.missing

    def __getattr__(self, name):
        # Only reached for attributes the fact does not have. A missing fact has none of its parts: each part is
        # missing too (shown as 【待补充】), so one absent record does not stop the whole report.
        if name.startswith("_") or not self.__dict__.get("missing"):
            raise AttributeError(name)
        return FactRef(self.__dict__["_ctx"], Fact(part_label(self.__dict__["label"], name), None))


class RenderContext:
    def __init__(self, unit: Unit, period: Period, secretary: Person | None, writer_texts: dict | None = None):
        self.unit, self.period, self.secretary = unit, period, secretary
        self.facts = Facts(unit, period, secretary)
        self.tokens: list[Token] = []
        self.warnings: list[str] = []
        self.figures: dict[tuple[str, int], Figure] = {}
        self.writer_texts = writer_texts or {}
        self.writers_used: list[tuple[str, str]] = []

    # --- tokens
    def _token(self, token: Token) -> str:
        self.tokens.append(token)
        return f"\ue000{len(self.tokens) - 1}\ue001"

    def _missing(self, label: str, reason: str, metric: str = "") -> str:
        self.warnings.append(f"【待补充：{label}】" + (f"——{reason}" if reason else ""))
        return self._token(Token(f"【待补充：{label}】", "missing", label, metric=metric, reason=reason))

    def emit_figure(self, figure: Figure, how: str, *args) -> str:
        if figure.is_missing:
            return self._missing(figure.metric.label, figure.missing, figure.metric.id)
        try:
            text = phrasing.FILTERS.get(how, phrasing.exact)(figure.value, *args)
        except phrasing.PhrasingError as exc:
            # e.g. “多” for a value under 10: the exact value is the honest fallback, and the writer is told
            text = phrasing.exact(figure.value)
            self.warnings.append(f"“{figure.metric.label}”为 {text}，{exc}，已写出精确值")
            how = "exact"
        rt_label = figure.metric.record_type
        if suffix := MEASURE_FILTERS.get(how):
            text += suffix(figure.metric.measure)
        return self._token(Token(text, "figure", figure.metric.label, metric=figure.metric.id, unit_id=figure.unit.pk,
                                 value=str(figure.value), phrasing=how, records=[rt_label],
                                 measure=figure.metric.measure))

    def fix_measures(self, text: str) -> str:
        """个百分点 and % kept apart: a change in percentage points followed by “%” (or a share followed by
        “个百分点”) is written with its own measure, and the writer is told."""
        def fix(mo):
            token = self.tokens[int(mo.group(1))]
            written = mo.group(2)
            right = token.measure
            if right == "个百分点" and written in ("%", "％"):
                self.warnings.append(f"“{token.label}”以个百分点计，模板写作“{written}”，已改为“个百分点”")
                return mo.group(0)[: -len(written)] + "个百分点"
            if right == "%" and written == "个百分点":
                self.warnings.append(f"“{token.label}”是百分比，模板写作“个百分点”，已改为“%”")
                return mo.group(0)[: -len(written)] + "%"
            return mo.group(0)

        return MEASURE_AFTER_TOKEN.sub(fix, text)

    def emit_fact(self, fact: Fact, text: str | None = None) -> str:
        if fact.missing:
            return self._missing(fact.label, "没有找到相应记录")
        records = [(r._meta.label_lower, r.pk) for r in fact.records if r is not None]
        value = fact.value if text is None else text
        if text is None and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            value = phrasing.exact(value)
        return self._token(Token(str(value), "fact", fact.label, value=str(fact.value), records=records))

    # --- template functions
    def m(self, metric_id: str, unit: UnitHandle | None = None) -> FigureRef:
        try:
            catalogue.get(metric_id)
        except LookupError:
            raise TemplateProblem(f"未知指标“{metric_id}”（{_nearest_text(str(metric_id))}）") from None
        if unit is not None and not isinstance(unit, UnitHandle):
            # e.g. the contact plant of a contact point that was not recorded
            metric = catalogue.get(metric_id)
            return FigureRef(self, Figure(metric, self.unit, self.period, None, "所指单位没有记录"))
        target = unit._unit if unit is not None else self.unit
        key = (metric_id, target.pk)
        if key not in self.figures:
            self.figures[key] = compute_kept(metric_id, target, self.period, self.secretary)
        return FigureRef(self, self.figures[key])

    def prefetch(self, metric_ids: list[str]) -> None:
        known = [i for i in metric_ids if i in catalogue.BY_ID]
        for mid, fig in compute_many(known, self.unit, self.period, self.secretary).items():
            self.figures[(mid, self.unit.pk)] = fig

    def writer(self, key: str, label: str = "", caller=None) -> str:
        """The writer's own text for a section (kept between sessions), or the template's default."""
        self.writers_used.append((key, label or key))
        text = self.writer_texts.get(key)
        if text is None:
            text = caller() if caller is not None else ""
        else:
            text = sanitize_writer_text(text)
        lines = [ln for ln in text.splitlines() if ln.strip()]
        # ends with a newline: the template's next line must not run on after the block
        return "".join(f"\ue002{key}\ue003{ln}\n" for ln in lines)


MEASURE_AFTER_TOKEN = re.compile("\ue000(\\d+)\ue001(个百分点|%|％)")
# filters that write the measure after the number: ``measured`` (10.9个百分点, 34.1%) and ``percent_sign`` (the seed's
# own wording: a change in percentage points written “%”, chosen explicitly by the template, never silently)
MEASURE_FILTERS = {"measured": lambda measure: measure, "percent_sign": lambda measure: "%"}


def sanitize_writer_text(text: str) -> str:
    """Writer text is data: no directives, no tokens, no template syntax takes effect."""
    text = re.sub("[\ue000-\ue003]", "", text)
    return "\n".join(ln.lstrip("@") for ln in text.splitlines())


def _filter(how: str):
    def apply(value, *args):
        if isinstance(value, FigureRef):
            return value._ctx.emit_figure(value._figure, how, *args)
        if how in MEASURE_FILTERS:
            raise TemplateProblem(f"{how} 只能用于指标 m(…)")
        if isinstance(value, FactRef):
            if value.missing:
                return value._ctx.emit_fact(value._fact)
            return value._ctx.emit_fact(value._fact, phrasing.FILTERS[how](value.value, *args))
        if isinstance(value, MissingValue):
            return str(value)
        if value is None:
            raise TemplateProblem(f"{how} 的参数为空")
        return phrasing.FILTERS[how](value, *args)

    return apply


class FactList(list):
    """Several facts (honours, products); joined empty it is missing, like any other fact."""

    def __init__(self, ctx: "RenderContext", label: str, items):
        super().__init__(items)
        self._ctx, self.label = ctx, label


def _join(items, sep: str = "、") -> str:
    if isinstance(items, FactList) and not items:
        return items._ctx._missing(items.label, "没有找到相应记录")
    return sep.join(str(i) for i in items)


def _sentence(text) -> str:
    """A recorded description as a sentence of the report: trimmed, ending with a full stop."""
    text = str(text or "").strip().rstrip("，,;；、")
    return text if not text or text[-1] in "。！？" else text + "。"


def _quoted(value) -> str:
    """“title”, unless the recorded title is already quoted as a whole (no ““…”” doubled)."""
    raw = str(value._fact.value) if isinstance(value, FactRef) and not value.missing else str(value)
    text = str(value)
    return text if raw.startswith("“") and raw.endswith("”") else f"“{text}”"


def generic_functions(ctx: "RenderContext", unit: Unit, secretary: Person | None) -> dict:
    """What the generic templates use besides figures: narrative records, clause lists and prompts."""
    from .facts import Narrative

    nar = Narrative(ctx.facts)

    def listed(label, facts):
        return FactList(ctx, label, [FactRef(ctx, x) for x in facts])

    def clauses(*parts, sep="，"):
        return sep.join(str(p) for p in parts if p)

    def prompt(label, hint=""):
        """A required item without records: 【待补充：label】, and the writer is told what to record."""
        return ctx._missing(label, hint or "模板要求的内容没有记录")

    return {
        "initiatives": lambda: listed("帮扶举措", nar.initiatives()),
        "visits": lambda: listed("联系点调研督导", nar.visits()),
        "campaigns": lambda: listed("主题宣传教育活动", nar.campaigns()),
        "study_topics": lambda kind=None, n=3: listed("学习主题", nar.study_topics(kind, n)),
        "honour_groups": lambda: listed("荣誉", nar.honour_groups()),
        "activities": lambda kind=None, n=3: listed("支部活动", nar.activities(kind, n)),
        "warning_educations": lambda: listed("警示教育", nar.warning_educations()),
        "inspections": lambda: listed("监督检查", nar.inspections()),
        "clauses": clauses, "prompt": prompt,
        "post": _post_of(ctx, unit),
    }


def _post_of(ctx: "RenderContext", unit: Unit):
    """党委书记 / 党总支书记 / 党支部书记: the post of the unit's highest Party organisation in the period."""
    from .services import highest_party_org

    org = highest_party_org(unit, ctx.period.end)
    if org is None:
        return MissingValue(ctx, "党组织书记职务", "未找到该单位的党组织")
    return f"{org.get_kind_display()}书记"


CURRENT: contextvars.ContextVar["RenderContext | None"] = contextvars.ContextVar("lvzhi_report_ctx", default=None)


def _finalize(value):
    """Whatever a template prints: an empty value (None) is a visible 【待补充】, never the word “None”."""
    if value is None:
        ctx = CURRENT.get()
        return ctx._missing("模板所取内容", "模板取到的值为空") if ctx is not None else "【待补充】"
    return value


def make_environment() -> bounded.LimitedSandbox:
    env = bounded.LimitedSandbox(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True,
                                 lstrip_blocks=True, keep_trailing_newline=False, finalize=_finalize)
    for name in [*phrasing.FILTERS, *MEASURE_FILTERS]:
        env.filters[name] = _filter(name)
    env.filters["join_cn"] = _join
    env.filters["sentence"] = _sentence
    env.filters["quoted"] = _quoted
    return env


ENV = make_environment()


def _line_of(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def metric_ids_in(source: str) -> list[tuple[str, int]]:
    """Metric ids named literally in ``m("…")`` calls, with their lines (for validation and prefetching)."""
    return list(_metric_ids_in(source))


@functools.lru_cache(maxsize=64)
def _metric_ids_in(source: str) -> tuple[tuple[str, int], ...]:
    # parsed once per template text: a preview re-rendered after each write asked twice (check, prefetch), 6 ms each
    found = []
    for call in ENV.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "m" and call.args and isinstance(call.args[0], nodes.Const):
            found.append((call.args[0].value, call.lineno))
    return tuple(found)


@functools.lru_cache(maxsize=16)
def _compiled(source: str) -> jinja2.Template:
    """The template compiled once per text (17 ms for the built-in one), in the web process: each render's child,
    a fork, finds it in its copy. Compiling runs none of the template's code; rendering it stays in the child."""
    return ENV.from_string(source)


def writer_sections(source: str) -> list[dict]:
    """The ``{% call writer("key", "label") %}default{% endcall %}`` blocks of a template, in order."""
    return [dict(s) for s in _writer_sections(source)]


@functools.lru_cache(maxsize=64)
def _writer_sections(source: str) -> tuple[dict, ...]:
    # parsed once per template text (the report page asks on every view; parsing is most of its own cost)
    out = []
    for block in ENV.parse(source).find_all(nodes.CallBlock):
        call = block.call
        if isinstance(call.node, nodes.Name) and call.node.name == "writer" and call.args and \
                isinstance(call.args[0], nodes.Const):
            label = call.args[1].value if len(call.args) > 1 and isinstance(call.args[1], nodes.Const) else call.args[0].value
            default = "".join(n.data for body in block.body for n in body.find_all(nodes.TemplateData)).strip()
            out.append({"key": call.args[0].value, "label": label, "default": default})
    return tuple(out)


def check(source: str) -> None:
    """Syntax and metric names, before anything is saved; raises TemplateProblem naming the line."""
    try:
        ids = metric_ids_in(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"语法错误：{exc.message}", exc.lineno) from None
    unknown = [(mid, line) for mid, line in ids if mid not in catalogue.BY_ID]
    if unknown:
        where = "全部指标见模板编辑页的“可用指标”或命令 lvzhi metrics"
        if len(unknown) == 1:
            mid, line = unknown[0]
            problem = TemplateProblem(f"未知指标“{mid}”（{_nearest_text(mid)}）。{where}", line)
        else:
            parts = [f"第 {line} 行：未知指标“{mid}”（{_nearest_text(mid)}）" for mid, line in unknown]
            problem = TemplateProblem(f"共 {len(unknown)} 个未知指标——" + "；".join(parts) + f"。{where}")
            problem.line = unknown[0][1]
        problem.unknown = [{"name": mid, "line": line, "nearest": nearest_metrics(mid)} for mid, line in unknown]
        raise problem


def nearest_metrics(name: str, n: int = 3) -> list[str]:
    """The known metric ids nearest to a name, by id and by Chinese label (difflib)."""
    ids = list(catalogue.BY_ID)
    by_label = {m.label: m.id for m in catalogue.CATALOGUE}
    found = difflib.get_close_matches(name, ids, n=n, cutoff=0.5)
    found += [by_label[lb] for lb in difflib.get_close_matches(name, list(by_label), n=n, cutoff=0.4)]
    return list(dict.fromkeys(found))[:n]


def _nearest_text(name: str) -> str:
    near = nearest_metrics(name)
    if not near:
        return "没有相近的指标"
    return "最接近的：" + "、".join(f"{i}（{catalogue.BY_ID[i].label}）" for i in near)


def render(source: str, *, unit: Unit, year: int, secretary: Person | None = None, writer_texts: dict | None = None,
           report_date: str = "") -> Document:
    """The document, rendered in a child process within the time, memory and output limits (see bounded.py)."""
    check(source)
    try:
        _compiled(source)  # before the fork: the child inherits it
    except jinja2.TemplateError:
        pass  # (an unknown filter…) raised again in the child, which names its line as ever
    return bounded.run(lambda: _render(source, unit=unit, year=year, secretary=secretary, writer_texts=writer_texts,
                                       report_date=report_date))


def _render(source: str, *, unit: Unit, year: int, secretary: Person | None, writer_texts: dict | None,
            report_date: str) -> Document:
    period = Period.year(year)
    ctx = RenderContext(unit, period, secretary, writer_texts)
    ctx.prefetch([mid for mid, _ in metric_ids_in(source)])
    f = _KeptFacts(ctx.facts)
    context = {
        "year": year, "unit": UnitHandle(unit),
        "secretary": secretary.name if secretary else MissingValue(ctx, "述职人（党组织书记）", "未找到该单位在任的党组织书记"),
        "report_date": report_date,
        "m": ctx.m, "writer": ctx.writer,
        "fact": lambda key: FactRef(ctx, f.unit_fact(key)),
        "contact": lambda: FactRef(ctx, f.contact_point()),
        "business_peak": lambda unit=None, indicator="loss_reduction": FactRef(
            ctx, f.business_peak(getattr(unit, "_unit", None), indicator)),
        "profit_total": lambda unit=None: FactRef(ctx, f.profit_total(getattr(unit, "_unit", None))),
        "innovations": lambda kind="product", fills_gap=None: FactList(
            ctx, "新产品", [FactRef(ctx, x) for x in f.innovations(kind, fills_gap)]),
        "lab": lambda: FactRef(ctx, f.lab()),
        "speech": lambda: FactRef(ctx, f.external_speech()),
        "honours": lambda kind=None, level=None: FactList(ctx, "荣誉", [FactRef(ctx, x) for x in f.honours(kind, level)]),
        "org_life_theme": lambda: FactRef(ctx, f.org_life_theme()),
        "threshold": lambda matter_type: FactRef(ctx, f.pre_review_threshold(matter_type)),
        "channel": lambda: FactRef(ctx, f.media_channel()),
        "ranking": lambda: FactRef(ctx, f.media_ranking()),
        "campaign": lambda quarter: FactRef(ctx, f.campaign(quarter)),
        "missing": lambda label: ctx._missing(label, "模板要求由撰写人补充"),
        "appraisal_carryover": lambda: FactRef(ctx, _carryover(unit, year)),
        **generic_functions(ctx, unit, secretary),
    }
    token = CURRENT.set(ctx)
    try:
        text = bounded.stream(_compiled(source), context, bounded.Limits.current())
    except TemplateProblem as exc:
        raise TemplateProblem(str(exc).split("：", 1)[-1], exc.line or _line_of(exc)) from None
    except SecurityError as exc:
        raise TemplateProblem(f"模板试图访问不允许的内容（{exc}），已拒绝", _line_of(exc)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"未定义的名称：{exc.message}", _line_of(exc)) from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(str(exc), _line_of(exc)) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise TemplateProblem(f"{exc.__class__.__name__}：{exc}", _line_of(exc)) from None
    finally:
        CURRENT.reset(token)
    return Document(_blocks(ctx.fix_measures(text)), ctx.tokens, ctx.warnings, ctx.figures, unit.name)


# the lookups of ``Facts`` a template calls (each gives a Fact or a list of them)
KEPT_FACTS = frozenset({"unit_fact", "contact_point", "business_peak", "profit_total", "innovations", "lab",
                        "external_speech", "honours", "org_life_theme", "pre_review_threshold", "media_channel",
                        "media_ranking", "campaign"})


class _KeptFacts:
    """The template's fact lookups, each kept on its own inside a page's result (the preview) while the tables it
    read are unchanged — keyed by every change of them, not only the subtree's (a unit fact or threshold of a unit
    above counts): a record saved looks up again only the facts that read its table (the preview re-read two dozen
    after every write, each a round trip from the render process)."""

    def __init__(self, facts: Facts):
        self._facts = facts

    def __getattr__(self, name: str):
        found = getattr(self._facts, name)
        if name not in KEPT_FACTS or not within_computation():
            return found
        facts = self._facts

        def kept(*args, **kwargs):
            parts = (name, key_part(args), key_part(sorted(kwargs.items())), facts.unit.pk, facts.period.start,
                     facts.period.end, key_part(facts.secretary))
            return cached("reports.fact", parts, functools.partial(found, *args, **kwargs))

        return kept


def _carryover(unit: Unit, year: int) -> Fact:
    """上年度述职评议指出问题整改情况 (lvzhi.appraisal): missing when last year had no 述职评议, so a template can
    write ``{% if appraisal_carryover() %}`` and print nothing then. Status as of the year's end (or today)."""
    import datetime as dt

    from lvzhi.appraisal.selectors import carryover
    from lvzhi.web import clock

    found = carryover(unit, year, min(dt.date(year, 12, 31), clock.today()))
    if found is None:
        return Fact("上年度述职评议指出问题整改情况", None)
    return Fact("上年度述职评议指出问题整改情况", found["text"], found["records"],
                {"count": found["count"], "done": found["done"], "branch_count": found["branch_count"],
                 "branch_done": found["branch_done"]})


def _blocks(text: str) -> list[Block]:
    blocks = []
    for raw in text.splitlines():
        writer = ""
        m = re.match("^\ue002([^\ue003]*)\ue003", raw.strip())
        line = raw.strip()
        if m:
            writer, line = m.group(1), line[m.end():]
        if not line:
            continue
        directive = next((d for d in DIRECTIVES if line.startswith(d + " ") or line == d), None)
        if directive and not writer:
            blocks.append(Block(DIRECTIVES[directive], line[len(directive):].strip()))
            continue
        plain = TOKEN.sub("", line)
        level = next((lvl for lvl, rx in HEADING if rx.match(plain)), 0)
        blocks.append(Block("heading" if level else "paragraph", line, level, writer))
    return blocks
