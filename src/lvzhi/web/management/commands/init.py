import os
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lvzhi.audit.actors import COMMAND_LINE
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import log_change
from lvzhi.org.models import Unit, UnitKind, User
from lvzhi.org.scoping import Scope
from lvzhi.org.services import grant_admin_role, unit_create

ACTOR = COMMAND_LINE


class Command(BaseCommand):
    help = "建库（执行迁移），创建系统管理员账号，并授予其顶级单位的系统管理员角色（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--admin", default="admin", help="管理员用户名（默认 admin）")
        parser.add_argument("--password", help="管理员密码；不给时读取 LVZHI_ADMIN_PASSWORD，仍没有则随机生成并打印")
        parser.add_argument("--unit", help="授权的顶级单位编码；与 --unit-name 一起使用时，若不存在则新建该顶级单位")
        parser.add_argument("--unit-name", help="新建顶级单位的名称")
        parser.add_argument("--unit-kind", default="group", choices=[k for k, _ in UnitKind.choices],
                            help="新建顶级单位的类型（默认 group：集团）")

    def handle(self, *args, admin, password=None, unit=None, unit_name=None, unit_kind="group", **options):
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
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"静态文件已收集到 {settings.STATIC_ROOT}（文件名带哈希并附 gzip 压缩版本）。")
        user = User.objects.filter(username=admin).first()
        if user is not None:
            self.stdout.write(f"管理员“{admin}”已存在，未改动其密码。")
        else:
            user = self._create_admin(admin, password)
        for top in self._units(unit, unit_name, unit_kind):
            if grant_admin_role(user, top, actor=ACTOR):
                self.stdout.write(self.style.SUCCESS(f"已授予“{admin}”在“{top.name}”（{top.code}）及其下级的系统管理员角色。"))
            else:
                self.stdout.write(f"“{admin}”已是“{top.name}”（{top.code}）的系统管理员。")

    def _units(self, code, name, kind) -> list[Unit]:
        if code:
            found = Unit.objects.filter(code=code).first()
            if found is not None:
                return [found]
            if not name:
                raise CommandError(f"没有编码为“{code}”的单位；要新建顶级单位请同时给出 --unit-name。")
            with transaction.atomic():
                created = unit_create({"code": code, "name": name, "kind": kind}, actor=ACTOR,
                                      scope=Scope.everything(ACTOR.name))
                log_change(ACTOR, AuditAction.CREATE, created, after={"code": code, "name": name, "kind": kind})
            self.stdout.write(self.style.SUCCESS(f"已新建顶级单位“{name}”（{code}）。"))
            return [created]
        tops = list(Unit.objects.get_root_nodes())
        if not tops:
            self.stdout.write("尚无单位：导入数据集（lvzhi import 数据集.xlsx）后再运行一次 lvzhi init，"
                              "或用 --unit 编码 --unit-name 名称 新建顶级单位；在此之前管理员看不到任何单位。")
        return tops

    def _create_admin(self, admin: str, password: str | None) -> User:
        password = password or os.environ.get("LVZHI_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = f"Lz-{secrets.token_urlsafe(12)}"
        assert password is not None
        user = User(username=admin, is_staff=True, is_superuser=True, first_name="系统管理员")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("管理员密码不符合要求：" + "；".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            log_change(ACTOR, AuditAction.CREATE, user, after={"username": admin, "is_superuser": True})
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员“{admin}”" + (f"，初始密码：{password}（请登录后修改）" if generated else "。")))
        return user
