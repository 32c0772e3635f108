#!/usr/bin/env bash
# What the benchmarks need beyond lvzhi itself (run once, as root for the system packages):
#   wrk          — the bounded HTTP load tool of bench/pages.py (Debian package)
#   python3-uno  — LibreOffice's Python bridge, which unoserver's server imports (Debian package)
#   redis-server — the Celery broker of bench/yearend.py (127.0.0.1:6379)
#   lvzhi[bench] — Celery, unoserver, psutil (pinned in pyproject.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  missing=()
  for p in wrk python3-uno redis-server; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}"
  fi
else
  echo "提示：非 root，跳过系统软件包（wrk、python3-uno、redis-server）。"
fi
make -s venv   # a fresh clone has no .venv yet
.venv/bin/pip install -q -e '.[bench]'
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 && sleep 1)
echo "基准测试依赖已就绪。"
