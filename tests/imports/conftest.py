import csv
import io

import openpyxl
import pytest


@pytest.fixture
def spreadsheet(tmp_path):
    """spreadsheet("a.xlsx", rows) → the path of a file holding the rows: an .xlsx, or a .csv in GBK (as Excel
    saves one on a Chinese Windows); bytes are written as they are."""

    def write(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif name.endswith(".csv"):
            buf = io.StringIO()
            csv.writer(buf).writerows(content)
            path.write_bytes(buf.getvalue().encode("gbk"))
        else:
            wb = openpyxl.Workbook()
            for row in content:
                wb.active.append(row)
            wb.save(path)
        return path

    return write


@pytest.fixture
def fresh_database(tmp_path):
    """fresh_database(name) → environment for a `lvzhi` process on a new, empty database of the suite's kind (a
    SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL), dropped afterwards."""
    import os
    import uuid

    made = []
    url = os.environ.get("LVZHI_DATABASE_URL", "")

    def make(name="db"):
        var = tmp_path / f"var-{name}"
        var.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update({"LVZHI_VAR_DIR": str(var), "LVZHI_AS_OF": "2023-01-10"})
        if url.startswith("postgres"):
            import psycopg

            db = f"lvzhi_t_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            made.append(db)
            env["LVZHI_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db
        else:
            env["LVZHI_DATABASE_URL"] = f"sqlite:///{var / 'db.sqlite3'}"
        return env

    yield make
    if made:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            for db in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture
def lvzhi_cli():
    """lvzhi_cli(env, *args) → the finished `lvzhi` process (in its own process, on env's database)."""
    import subprocess
    import sys

    def run(env, *args, check=True):
        r = subprocess.run([sys.executable, "-m", "lvzhi.cli", *map(str, args)], env=env, capture_output=True,
                           text=True, timeout=900)
        if check and r.returncode not in (0, 1):
            raise AssertionError(f"lvzhi {' '.join(map(str, args))} → {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r

    return run


@pytest.fixture
def workbook_cells():
    """workbook_cells(path) → {sheet: [rows of values]}, without the 说明 lines naming the moment and the person."""

    def read(path, skip_info=("导出时间", "导出人")) -> dict:
        wb = openpyxl.load_workbook(path, read_only=True)
        out = {}
        for ws in wb.worksheets:
            rows = [r for r in ws.iter_rows(values_only=True)]
            if ws.title == "说明":
                rows = [r for r in rows if not (r and r[0] in skip_info)]
            out[ws.title] = rows
        wb.close()
        return out

    return read
