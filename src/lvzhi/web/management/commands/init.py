import os
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import log_change
from lvzhi.org.models import User


class Command(BaseCommand):
    help = "建库（执行迁移）并创建系统管理员账号（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--admin", default="admin", help="管理员用户名（默认 admin）")
        parser.add_argument("--password", help="管理员密码；不给时读取 LVZHI_ADMIN_PASSWORD，仍没有则随机生成并打印")

    def handle(self, *args, admin, password=None, **options):
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
        self.stdout.write("数据库已就绪（迁移完成）。")
        if User.objects.filter(username=admin).exists():
            self.stdout.write(f"管理员“{admin}”已存在，未改动。")
            return
        password = password or os.environ.get("LVZHI_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = f"Lz-{secrets.token_urlsafe(12)}"
        user = User(username=admin, is_staff=True, is_superuser=True, first_name="系统管理员")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("管理员密码不符合要求：" + "；".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            log_change("命令行", AuditAction.CREATE, user, after={"username": admin, "is_superuser": True})
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员“{admin}”" + (f"，初始密码：{password}（请登录后修改）" if generated else "。")))
