"""Rendering a user's template within limits the web worker survives.

Two layers:

* **The sandbox refuses huge constants before computing them**: ``**`` and ``*`` on big operands (``9**(9**9)``,
  ``'x'*10**10``) and ``range`` beyond :data:`MAX_RANGE` are refused with a Chinese message at once — and, because
  the operators are intercepted, Jinja no longer folds them at compile time either.
* **The render runs in a forked child process** with a CPU-time limit (``RLIMIT_CPU``), an address-space limit
  (``RLIMIT_AS``: the worker's own size plus ``LVZHI_TEMPLATE_MEMORY_MB``) and an output limit (characters, counted
  while the template streams), and the parent kills it at the wall-clock limit (``LVZHI_TEMPLATE_SECONDS``). Whatever
  the template does, the worker only waits, then raises :class:`TemplateLimit`.

The child has no database connection of its own (a connection must not be used on both sides of a fork, and a test's
transaction is only visible to the connection that opened it). Each query the child's ORM issues is sent to the
parent, which runs it on its own connection — read-only statements only — and sends the rows back. The result is
pickled back with every QuerySet reduced to its query (not its rows), so it is evaluated in the parent only if used.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import resource
import signal
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models.query import QuerySet
from jinja2.sandbox import SandboxedEnvironment

from lvzhi.web import datacache, readset

MAX_RANGE = 100_000  # items of one range(); nested loops are then the time limit's job
MAX_INT_DIGITS = 4300  # Python prints no longer integer anyway (sys.int_info.default_max_str_digits)
READ_ONLY = ("SELECT", "WITH", "(SELECT", "VALUES", "EXPLAIN")


@dataclass(frozen=True)
class Limits:
    seconds: float
    memory_mb: int
    output_chars: int

    @classmethod
    def current(cls) -> "Limits":
        return cls(float(getattr(settings, "REPORT_TEMPLATE_SECONDS", 30)),
                   int(getattr(settings, "REPORT_TEMPLATE_MEMORY_MB", 512)),
                   int(getattr(settings, "REPORT_TEMPLATE_OUTPUT_CHARS", 1_000_000)))


def _wan(n: int | float) -> str:
    """A large count in Chinese words for the messages: 100000 → 10 万, 10**10 → 100 亿."""
    if n >= 10 ** 8:
        return f"{n / 10 ** 8:,.4g} 亿"
    if n >= 10 ** 4:
        return f"{n / 10 ** 4:,.4g} 万"
    return f"{n:,}"


def _message(kind: str, limits: Limits, detail: str = "") -> str:
    base = {
        "time": f"模板渲染超时：{limits.seconds:g} 秒内没有完成，已停止。请检查模板中的循环是否过多。",
        "memory": f"模板渲染所需内存超过上限（{limits.memory_mb} MB），已停止。请检查模板是否生成了过大的数字、文字或列表。",
        "output": f"模板输出过长：超过 {_wan(limits.output_chars)}字，已停止。请检查模板中的循环。",
    }[kind]
    return f"{base}（{detail}）" if detail else base


class _Limit(Exception):
    """Raised inside the child; turned into TemplateLimit by the caller."""

    def __init__(self, kind: str, detail: str = ""):
        self.kind, self.detail = kind, detail
        super().__init__(kind, detail)


# --- the sandbox: no huge constants ----------------------------------------------------------------------

def _int_digits(base: int, exponent: int) -> float:
    return exponent * math.log10(abs(base)) if abs(base) > 1 else 1


def _check_power(left, right) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        digits = _int_digits(left, right)
        if digits > MAX_INT_DIGITS:
            raise _Limit("memory", f"{left} 的 {right} 次方约有 {_wan(int(digits))}位数字，模板中的数字最多 {MAX_INT_DIGITS} 位")


def _check_multiply(left, right, limits: Limits) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
            size = len(seq) * times
            if size > limits.output_chars:
                what = "文字" if isinstance(seq, str) else "列表"
                raise _Limit("output", f"乘法会生成 {_wan(size)}{'字' if what == '文字' else '项'}的{what}")
    if isinstance(left, int) and isinstance(right, int) and left and right:
        digits = math.log10(abs(left)) + math.log10(abs(right))
        if digits > MAX_INT_DIGITS:
            raise _Limit("memory", f"乘积约有 {_wan(int(digits))}位数字，模板中的数字最多 {MAX_INT_DIGITS} 位")


def bounded_range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise _Limit("time", f"range 有 {_wan(len(r))}项，模板中一个 range 最多 {_wan(MAX_RANGE)}项")
    return r


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing powers, products and ranges too large to compute or print."""

    intercepted_binops = frozenset(["**", "*"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_multiply(left, right, Limits.current())
        return super().call_binop(context, operator, left, right)


def stream(template, context: dict, limits: Limits) -> str:
    """Render while counting: stop as soon as the output passes the limit, not after building it."""
    out, size = [], 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > limits.output_chars:
            raise _Limit("output")
        out.append(chunk)
    return "".join(out)


# --- the child process -----------------------------------------------------------------------------------

class _Pickler(pickle.Pickler):
    """QuerySets travel as their query, so sending a result never fetches its records."""

    def reducer_override(self, obj):
        if isinstance(obj, QuerySet):
            return _queryset, (type(obj), obj.model, obj.query, obj._db)
        return NotImplemented


def _queryset(cls, model, query, db):
    return cls(model=model, query=query, using=db)


def _dumps(obj) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


class _RemoteCursor:
    """A cursor in the child: each statement runs in the parent, on the parent's connection and transaction."""

    def __init__(self, channel, alias: str):
        self._channel, self._alias = channel, alias
        self._rows: list = []
        self.description = None
        self.rowcount = -1
        self.lastrowid = None

    def _run(self, sql, params, many=False):
        # a result reused and computed here is keyed by the tables its statements read, as in the parent
        readset.observed(sql)
        self._channel.send_bytes(_dumps(("sql", self._alias, sql, params, many)))
        status, *payload = pickle.loads(self._channel.recv_bytes())
        if status != "ok":
            raise RuntimeError(payload[0])
        rows, self.description, self.rowcount, self.lastrowid = payload
        self._rows = list(rows or [])

    def execute(self, sql, params=None):
        self._run(sql, params)
        return self

    def executemany(self, sql, param_list):
        self._run(sql, list(param_list), many=True)
        return self

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size=100):
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        while self._rows:
            yield self._rows.pop(0)

    def close(self):
        self._rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _NoConnection:
    """Stands in for the inherited driver connection in the child: touching it is a bug, not a shared socket."""

    def __getattr__(self, name):
        raise RuntimeError("报告渲染进程不能直接使用数据库连接")


_KEEP: list = []  # the inherited driver connections, kept referenced so the child never closes the parent's socket


class _ParentCache:
    """The results cache of the parent, asked over the channel: the child reuses what the site has computed and
    hands back what it computes (``datacache.use_parent_cache``)."""

    def __init__(self, channel):
        self._channel = channel

    def _ask(self, *message):
        self._channel.send_bytes(_dumps(message))
        return pickle.loads(self._channel.recv_bytes())[1]

    def get(self, key):
        return self._ask("cache_get", key)

    def set(self, key, entry, timeout):
        self._ask("cache_set", key, entry, timeout)


def _child_setup(channel, limits: Limits) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)
    for conn in connections.all():
        _KEEP.append(conn.connection)
        conn.connection = _NoConnection()
        conn.cursor = conn.chunked_cursor = (lambda alias=conn.alias: _RemoteCursor(channel, alias))
    datacache.use_parent_cache(_ParentCache(channel))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    with open("/proc/self/statm") as fh:
        own = int(fh.read().split()[0]) * resource.getpagesize()
    cap = own + limits.memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


def _child(channel, fn, limits: Limits) -> None:
    from .templating import TemplateProblem, _line_of

    try:
        _child_setup(channel, limits)
        with readset.watching() as found:  # results reused here: the parent's result read their tables too
            result = fn()
        payload = ("done", result, None if found[0] is readset.ALL else frozenset(found[0]))
    except _Limit as exc:
        payload = ("limit", exc.kind, exc.detail, _line_of(exc))
    except TemplateProblem as exc:
        payload = ("problem", exc.detail, exc.line)
    except MemoryError:
        payload = ("limit", "memory", "", None)
    except RecursionError:
        payload = ("problem", "模板嵌套或递归过深", None)
    except BaseException as exc:  # noqa: BLE001 — reported to the parent, which raises it as a template error
        payload = ("crash", f"{exc.__class__.__name__}：{exc}")
    try:
        data = _dumps(payload)
    except MemoryError:
        data = _dumps(("limit", "memory", "", None))
    channel.send_bytes(data)


# --- the parent ------------------------------------------------------------------------------------------

def _run_query(alias: str, sql: str, params, many: bool):
    if not sql.lstrip().upper().startswith(READ_ONLY):
        return ("error", "报告渲染只能读取数据")
    try:
        with connections[alias].cursor() as cursor:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else None
            description = [tuple(col)[:7] for col in cursor.description] if cursor.description else None
            return ("ok", rows, description, cursor.rowcount, getattr(cursor, "lastrowid", None))
    except Exception as exc:  # noqa: BLE001 — the child raises it where its query was
        return ("error", f"{exc.__class__.__name__}：{exc}")


def run(fn, *, limits: Limits | None = None):
    """``fn()`` in a child process within the limits; its (picklable) result, or TemplateLimit / TemplateProblem."""
    from multiprocessing import Pipe

    from .templating import TemplateLimit, TemplateProblem

    limits = limits or Limits.current()
    parent_end, child_end = Pipe(duplex=True)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            parent_end.close()
            _child(child_end, fn, limits)
        finally:
            os._exit(0)
    child_end.close()
    deadline = time.monotonic() + limits.seconds
    result = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not parent_end.poll(remaining):
                raise TemplateLimit("time", _message("time", limits))
            try:
                message = pickle.loads(parent_end.recv_bytes())
            except EOFError:
                result = ("died",)
                break
            if message[0] == "sql":
                parent_end.send_bytes(_dumps(_run_query(*message[1:])))
                continue
            if message[0] == "cache_get":
                parent_end.send_bytes(_dumps(("ok", datacache.entry(message[1]))))
                continue
            if message[0] == "cache_set":
                datacache.keep(*message[1:])
                parent_end.send_bytes(_dumps(("ok", None)))
                continue
            result = message
            break
    finally:
        parent_end.close()
        if result is None:  # timed out, or interrupted here: the child must not outlive the wait
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    kind = result[0]
    if kind == "done":
        readset.note(result[2])
        return result[1]
    if kind == "limit":
        raise TemplateLimit(result[1], _message(result[1], limits, result[2]), result[3])
    if kind == "problem":
        raise TemplateProblem(result[1], result[2])
    if kind == "crash":
        raise TemplateProblem(f"渲染出错：{result[1]}")
    # the child ended without a word: killed by the CPU limit, or (anything else) by running out of memory
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        raise TemplateLimit("time", _message("time", limits))
    raise TemplateLimit("memory", _message("memory", limits))
