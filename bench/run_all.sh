#!/usr/bin/env bash
# Every benchmark, one after the other (they must not share the 2 cores), results in bench/results/.
# First use builds the province and central databases (~15 s and ~3 min); later runs reuse them.
set -euo pipefail
cd "$(dirname "$0")"
PY=../.venv/bin/python
$PY report_figures.py --scenario province
$PY report_figures.py --scenario central
$PY obligations.py --scenario province
$PY obligations.py --scenario central --repeat 1
$PY stored.py --scenario province      # stores the report year's results, which the pages then read
$PY stored.py --scenario central
$PY import_xlsx.py
$PY import_dataset.py --scenario province
$PY render.py
$PY pages.py --write-every 2
$PY yearend.py --sample 60
