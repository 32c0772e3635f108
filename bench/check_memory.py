"""Peak memory of ``lvzhi check --all --format json`` (issue 16: ≤ 300 MB at any size), whole and per rule.

    .venv/bin/python bench/check_memory.py [--scenario central] [--rule R …] [--src /other/tree/src] [--keep out.json]

The check runs in a child process of its own (its VmHWM is its own address space: a forked child's ``ru_maxrss``
starts at the parent's), exactly as ``lvzhi check --year 2024 --as-of 2025-01-31 --all --format json --out …``
runs, with the command's ``stream`` wrapped to read VmHWM each time a rule is handed over: "judged" when the
stream yields it (a chunked rule is judged later, while written), "written" when the writer asks for the next one
(before that one is judged).

``--src`` runs another source tree's code (e.g. main's ``src``) against the same database, for before/after in
the same minutes; the output's sha256 says whether the two wrote the same bytes. Writes
``bench/results/check_memory_<scenario>[_<label>].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

CHILD = r"""
import hashlib, json, resource, sys, time

def vm(key):
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key + ':')) / 1024

import django
django.setup()
from lvzhi.obligations.management.commands import check_obligations as command
marks = []
inner = command.stream

def stream(*args, **kwargs):
    head, results = inner(*args, **kwargs)

    def watched():
        # "written" is read before the next rule is asked for (judging it comes after), and no rule is held here
        # while the next one is judged.
        it = iter(results)
        while True:
            if marks:
                marks[-1]['written'] = round(vm('VmHWM'), 1)
            r = next(it, None)
            if r is None:
                return
            marks.append({'rule': r.rule_id, 'judged': round(vm('VmHWM'), 1), 'chunked': r.parts is not None})
            yield r
            r = None

    return head, watched()

command.stream = stream
from lvzhi.cli import main
wall = time.perf_counter()
try:
    main(sys.argv[1:])
except SystemExit:
    pass
wall = time.perf_counter() - wall
usage = resource.getrusage(resource.RUSAGE_SELF)
digest = hashlib.sha256()
size = 0
with open(OUT, 'rb') as f:
    for block in iter(lambda: f.read(1 << 20), b''):
        digest.update(block)
        size += len(block)
print(json.dumps({'peak_mb': round(vm('VmHWM'), 1), 'rules': marks, 'wall_s': round(wall, 1),
                  'cpu_s': round(usage.ru_utime + usage.ru_stime, 1), 'sha256': digest.hexdigest(),
                  'bytes': size}), file=sys.stderr)
"""


def _commit(src: Path) -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=src, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=src,
                               capture_output=True, text=True).stdout.strip()
        return rev + ("（有未提交的修改）" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


def run_check(src: Path, rules: list[str], keep: str | None) -> dict:
    """One ``lvzhi check --all --format json`` in a child running ``src``'s code; its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or os.path.join(tmp, "check.json")
        argv = ["check", "--year", str(common.REPORT_YEAR), "--as-of", common.AS_OF, "--all", "--format", "json",
                "--out", out]
        for r in rules:
            argv += ["--rule", r]
        env = {**os.environ, "PYTHONPATH": str(src)}
        load = [round(x, 2) for x in os.getloadavg()]
        done = subprocess.run([sys.executable, "-c", f"OUT = {out!r}\n" + CHILD, *argv], env=env,
                              capture_output=True, text=True, cwd=tmp)
        try:
            figures = json.loads(done.stderr.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise RuntimeError(done.stderr[-3000:]) from None
    figures.update(src=str(src), commit=_commit(src), load_before=load,
                   load_after=[round(x, 2) for x in os.getloadavg()])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="central", choices=["company", "province", "central"])
    parser.add_argument("--rule", action="append", default=[], help="only these rules (as lvzhi check --rule)")
    parser.add_argument("--src", default=str(common.ROOT / "src"), help="the source tree whose code runs the check")
    parser.add_argument("--label", default="", help="suffix of the results file")
    parser.add_argument("--keep", help="keep the JSON written by the check at this path (for cmp)")
    args = parser.parse_args()
    common.setup(args.scenario)  # builds the scenario's database on first use (one builder at a time)
    t = time.strftime("%H:%M:%S UTC", time.gmtime())
    print(f"[bench] {t} check --all on {args.scenario} with {args.src} (load {os.getloadavg()[0]:.2f})", flush=True)
    figures = run_check(Path(args.src), args.rule, args.keep)
    for m in figures["rules"]:
        print(f"  {m['rule']:<36} judged {m['judged']:7.1f}  written {m.get('written', 0):7.1f} MB"
              + ("  (chunked)" if m["chunked"] else ""))
    name = f"check_memory_{args.scenario}" + (f"_{args.label}" if args.label else "")
    common.write_results(name, [common.figure("check --all --format json: peak VmHWM", figures["peak_mb"],
                                              goal="≤ 300 MB", met=figures["peak_mb"] <= 300, unit=" MB",
                                              rules=args.rule or "all")],
                         check=figures)


if __name__ == "__main__":
    main()
