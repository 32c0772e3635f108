"""Celery is an extra: the year-end run's work (render, warm LibreOffice, which organisations) imports without it;
and the generator imports nothing of the demo."""

import os
import subprocess
import sys

import pytest

BLOCK_CELERY = "import sys; sys.modules['celery'] = None\n"  # `import celery` now raises ImportError


def _run(code):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lvzhi.settings"}
    return subprocess.run([sys.executable, "-c", BLOCK_CELERY + "import django; django.setup()\n" + code],
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_year_end_work_imports_without_celery():
    done = _run("from lvzhi.scale import yearend\n"
                "assert callable(yearend.render_duty_report) and callable(yearend.secretaries_orgs)\n")
    assert done.returncode == 0, done.stderr


def test_only_the_worker_needs_celery():
    done = _run("import lvzhi.scale.yearend_worker\n")
    assert done.returncode != 0 and "celery" in done.stderr.lower()


@pytest.mark.parametrize("module", ["lvzhi.scale.yearend", "lvzhi.tasks"])
def test_core_modules_do_not_pull_celery_in(module):
    done = _run(f"import {module}\n")
    assert done.returncode == 0, done.stderr


def test_the_generator_does_not_read_the_demo_company():
    """The scale generator has its own word lists (lvzhi.scale.words): the demo's story can change freely."""
    done = _run("import sys\nloaded = set(sys.modules)  # the demo app itself is installed\n"
                "from lvzhi.scale import generate, org, others, party\n"
                "print(sorted(m for m in set(sys.modules) - loaded if m.startswith('lvzhi.demo')))\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
