"""Configuration errors reach the user as one clear Chinese line, not a traceback."""

import os
import subprocess
import sys

import pytest


def _run(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "lvzhi.cli", *args], env=env, capture_output=True, text=True, timeout=120)


def test_malformed_database_url_gives_a_chinese_message(tmp_path):
    r = _run({"LVZHI_DATABASE_URL": "mysq1:/broken", "LVZHI_VAR_DIR": str(tmp_path)}, "manage", "check")
    assert r.returncode == 2
    assert "LVZHI_DATABASE_URL" in r.stderr and "Traceback" not in r.stderr


def test_unsupported_database_is_named(tmp_path):
    r = _run({"LVZHI_DATABASE_URL": "mysql://root@localhost/x", "LVZHI_VAR_DIR": str(tmp_path)}, "manage", "check")
    assert r.returncode == 2 and "仅支持 sqlite 与 postgres" in r.stderr


def test_production_requires_a_secret_key(tmp_path):
    r = _run({"LVZHI_PRODUCTION": "1", "LVZHI_SECRET_KEY": "", "LVZHI_VAR_DIR": str(tmp_path)}, "manage", "check")
    assert r.returncode == 2 and "LVZHI_SECRET_KEY" in r.stderr


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    key = "k" * 20 + "Z9#x" * 10 + "q" * 20
    r = _run({"LVZHI_PRODUCTION": "1", "LVZHI_SECRET_KEY": key, "LVZHI_VAR_DIR": str(tmp_path),
              "LVZHI_ALLOWED_HOSTS": "lvzhi.example.cn"}, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr


def test_unknown_command_lists_the_commands():
    r = _run({}, "frobnicate")
    assert r.returncode == 2 and "未知命令" in r.stderr
