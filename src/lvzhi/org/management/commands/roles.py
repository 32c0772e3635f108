from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lvzhi.org import access
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit
from lvzhi.org.models import Role, RoleRequest, User
from lvzhi.org.scoping import CONFIDENTIAL_ROLES

ROLE_NAMES = {"secretary": Role.SECRETARY, "discipline": Role.DISCIPLINE}


class Command(BaseCommand):
    help = ("保密角色授权（两人完成）：list 列出申请；request 申请；approve/reject 批准/驳回。"
            "命令行身份只能在尚无审批人时批准首次授权")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "request", "approve", "reject"])
        parser.add_argument("id", nargs="?", type=int, help="申请编号（approve/reject）")
        parser.add_argument("--account", help="被授予角色的账号（request）")
        parser.add_argument("--unit", help="单位编码或名称（request）")
        parser.add_argument("--role", choices=sorted(ROLE_NAMES), help="secretary 党委书记；discipline 纪委书记/纪检干事")
        parser.add_argument("--reason", default="", help="理由（request），审批意见（approve/reject）")
        add_user_option(parser)

    def handle(self, *args, action, id=None, account=None, unit=None, role=None, reason="", user=None, **options):
        actor, scope = actor_and_scope(user)
        try:
            if action == "list":
                for r in access.visible_requests(scope)[:200]:
                    self.stdout.write(f"{r.pk}\t{r.get_status_display()}\t{r.user.username}\t{r.unit.name}\t"
                                      f"{r.get_role_display()}\t申请人 {r.requested_by_name}\t{r.reason}")
                return
            if action == "request":
                target = User.objects.filter(username=account or "", is_active=True).first()
                if target is None or not unit or role not in ROLE_NAMES:
                    raise CommandError("请给出 --account（有效账号）、--unit 和 --role（secretary 或 discipline）。")
                req = access.request_role(user=target, unit=find_unit(unit, scope), role=ROLE_NAMES[role],
                                          reason=reason, actor=actor, scope=scope)
                self.stdout.write(self.style.SUCCESS(f"已提交申请 {req.pk}：{req}。须由另一位有权人员批准后生效。"))
                return
            req = RoleRequest.objects.filter(pk=id).first() if id else None
            if req is None or (not scope.can_read(req.unit)):
                raise CommandError("未找到该申请。")
            decide = access.approve if action == "approve" else access.reject
            decide(req, actor=actor, scope=scope, note=reason)
            self.stdout.write(self.style.SUCCESS(f"申请 {req.pk} 已{'批准' if action == 'approve' else '驳回'}。"))
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from None


assert set(ROLE_NAMES.values()) == set(CONFIDENTIAL_ROLES)
