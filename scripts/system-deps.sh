#!/usr/bin/env bash
# System packages lvzhi uses beyond Python: CJK fonts and LibreOffice for documents and spreadsheets
# (official-format PDF reports; spreadsheets printed or converted), and for development and CI also Chromium
# (browser tests, page screenshots), poppler (PDF checks), nginx and openssl (the deployment test runs the app
# behind deploy/nginx.conf). Installs them when run as root; otherwise says what is missing and what still works.
#   scripts/system-deps.sh             everything (development, CI)
#   scripts/system-deps.sh --runtime   only what a server needs (deploy/Dockerfile)
set -uo pipefail

RUNTIME=(fonts-noto-cjk fonts-liberation2 libreoffice-writer-nogui libreoffice-calc-nogui)
if [ "${1:-}" = "--runtime" ]; then
  PKGS=("${RUNTIME[@]}")
else
  PKGS=("${RUNTIME[@]}" chromium poppler-utils nginx openssl)
fi
FANDOL_DIR=/usr/local/share/fonts/lvzhi-fandol

missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
need_fandol=0
[ -f "$FANDOL_DIR/FandolFang-Regular.otf" ] || need_fandol=1

if [ ${#missing[@]} -eq 0 ] && [ $need_fandol -eq 0 ]; then
  echo "系统依赖齐全。"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "提示：缺少系统软件包：${missing[*]:-无}$( [ $need_fandol -eq 1 ] && echo '，以及仿宋/楷体替代字体（Fandol）')。"
  echo "      以 root 运行 scripts/system-deps.sh（或 sudo make demo）可自动安装。"
  echo "      缺少它们时：网站、导入导出、检查、DOCX/HTML/Markdown 报告照常可用；"
  echo "      PDF 报告需要 libreoffice-writer-nogui 与字体，浏览器测试需要 chromium，部署测试需要 nginx。"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装系统软件包：${missing[*]}"
  apt-get update -q >/dev/null
  # Install, never start, services (nginx): the deployment test starts its own on a free port.
  guard=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; guard=1; fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  [ $guard -eq 1 ] && rm -f /usr/sbin/policy-rc.d
fi
if [ $need_fandol -eq 1 ]; then
  # FandolFang / FandolKai (仿宋、楷体 stand-ins) live only inside texlive-lang-chinese: take the fonts,
  # not the package and its heavy dependencies.
  echo "安装 Fandol 仿宋/楷体字体"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q texlive-lang-chinese >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get download -q texlive-lang-chinese >/dev/null; })
  dpkg -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  mkdir -p "$FANDOL_DIR"
  cp "$tmp"/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang,Kai,Hei,Song}-*.otf "$FANDOL_DIR"/
  rm -rf "$tmp"
  fc-cache -f "$FANDOL_DIR" >/dev/null 2>&1 || true
fi
echo "系统依赖已安装。"
