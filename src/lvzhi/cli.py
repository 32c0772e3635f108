"""The ``lvzhi`` command: a thin door onto Django management commands.

    lvzhi init | demo [--no-serve] | serve | audit verify | import | export | check | report | ...
    lvzhi manage <any Django command>
"""

from __future__ import annotations

import os
import sys

USAGE = """用法：lvzhi <命令> [参数]

  init                 建库（迁移）并创建系统管理员
  demo [--no-serve]    载入演示公司（可重复运行，不会重复），然后启动网站
  serve                启动网站（gunicorn，默认 127.0.0.1:8000）
  audit verify|anchor  校验审计日志（哈希链与锚点）/记录锚点
  import FILE --type T 从 Excel/CSV 导入记录（全部校验通过才写入）
  export --type T --out FILE   导出记录为 Excel
  template --type T --out FILE 写出空白导入模板（下拉列表、填写说明、打印设置）
  check --year Y       检查应办事项（逾期时退出码为 1）
  recompute [--year Y] [--unit U] [--rule R] [--queue|--status]   重算并保存检查结果（合规看板读取保存的结果）；--status 显示后台重算进度
  report --year Y --format docx|pdf|html|md --out FILE   生成述职报告
  metrics [--unit U] [--year Y] [--format table|json]   列出全部指标（编号、名称、单位、数值）
  appraisal --year Y [--unit U] [--format table|json|xlsx]   述职评议结果（票数、得分、等次、点评问题与整改）
  grading --year Y [--unit U] [--format table|json|xlsx]   党支部分类定级（各项指标、得分、等次、计算说明）
  digest               发送预警摘要邮件
  roles list|request|approve   保密角色授权（须第二人批准）
  backup FILE / restore FILE   备份与恢复
  scale-data --scenario company|province|central   生成规模测试数据
  token create --user U [--read-only] [--days N]   创建接口令牌（list / revoke 列出、撤销）
  manage <命令>        运行任意 Django 管理命令（如 lvzhi manage createsuperuser）
  --version            显示版本

每个命令加 --help 查看参数。配置见 README（LVZHI_DATABASE_URL 等环境变量）。"""

# lvzhi <name> → Django command name (hyphens are friendlier on a command line)
ALIASES = {"scale-data": "scale_data", "check": "check_obligations"}  # Django keeps its own "check"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("lvzhi")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "未安装（源代码）"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    if argv[0] in {"--version", "-V", "version"}:  # before Django: works without a database or settings
        print(f"lvzhi {version()}")
        return 0
    if argv[0] == "manage":
        args = argv[1:]
    else:
        args = [ALIASES.get(argv[0], argv[0]), *argv[1:]]
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django
        from django.core.management import execute_from_command_line, get_commands

        django.setup()
        if argv[0] != "manage" and args[0] not in get_commands():
            print(f"未知命令“{argv[0]}”。\n\n{USAGE}", file=sys.stderr)
            return 2
        execute_from_command_line(["lvzhi", *args])
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
