"""Prints the figures of the security tests at the end of a run: matrix cells, fuzz examples, hostile files."""

import sys


def pytest_terminal_summary(terminalreporter):
    figures = []
    matrix = sys.modules.get("security.matrix") or sys.modules.get("tests.security.matrix")
    if matrix is not None and matrix.TALLY:
        per_role = "、".join(f"{role} {n}" for role, n in matrix.TALLY.items())
        figures.append(f"权限矩阵：{sum(matrix.TALLY.values())} 个单元格（{per_role}）")
    for name, label, unit in (("test_api_fuzz", "接口模糊测试", "个请求，覆盖 {n} 个操作"),
                              ("test_hostile_files", "恶意文件", "次导入（{n} 类）")):
        module = sys.modules.get(f"security.{name}") or sys.modules.get(f"tests.security.{name}")
        counter = getattr(module, "RAN", None) or getattr(module, "TRIED", None)
        if counter:
            figures.append(f"{label}：{sum(counter.values())} " + unit.format(n=len(counter)))
    if figures:
        terminalreporter.write_sep("-", "安全测试数字")
        for line in figures:
            terminalreporter.write_line(line)
