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
