from django.core.management import call_command
from django.core.management.base import BaseCommand

from lvzhi.demo.loader import demo_password, load_demo
from lvzhi.demo.org import ACCOUNTS

DEMO_AS_OF = "2023-01-10"


class Command(BaseCommand):
    help = "载入演示公司（江海化工股份有限公司）的组织、人员与记录（可重复运行，不会重复），然后启动网站"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动网站")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, no_serve=False, bind="127.0.0.1:8000", **options):
        from django.db import connection
        from django.db.migrations.recorder import MigrationRecorder

        from lvzhi.audit.anchors import set_aside_for_new_database

        new_database = not MigrationRecorder(connection).has_table()
        call_command("migrate", interactive=False, verbosity=0)
        # Only a database created just now starts a new anchor file: on an existing one, an emptied trail must still
        # be reported by `lvzhi audit verify`.
        kept = set_aside_for_new_database() if new_database else None
        if kept is not None:
            self.stdout.write(f"数据库是新建的：原审计锚点文件已改名保留为 {kept}，新的审计日志使用新的锚点文件。")
        self.stdout.write("载入演示数据：")
        load_demo(self.stdout.write)
        self.stdout.write("\n演示账号（密码相同：%s）：" % demo_password())
        for username, display, role, _unit, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role.label}（{display}）")
        for hook in self._after_load_hooks():
            hook(self)
        from django.conf import settings

        if not settings.LVZHI_AS_OF:
            # The demo company's records end with 2022: its site shows the world as of 10 January 2023. Kept in the
            # data directory, so `lvzhi serve` later (and workers forked by the server) show it the same way.
            settings.AS_OF_FILE.write_text(DEMO_AS_OF, encoding="utf-8")
            settings.LVZHI_AS_OF = DEMO_AS_OF
            settings.LVZHI_AS_OF_SOURCE = f"演示数据的日期，保存在 {settings.AS_OF_FILE}；删除该文件即按实际日期"
        self.stdout.write(f"\n网站以 {settings.LVZHI_AS_OF} 为“今天”（{settings.LVZHI_AS_OF_SOURCE}），"
                          "便于查看 2022 年的检查与报告。")
        if no_serve:
            call_command("collectstatic", interactive=False, verbosity=0)
        else:
            call_command("serve", bind=bind)

    def _after_load_hooks(self):
        # Later parts (the duty report) add what the demo shows after loading.
        from lvzhi.demo.loader import after_load_hooks

        return after_load_hooks()
