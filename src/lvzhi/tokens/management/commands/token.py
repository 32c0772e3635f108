from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lvzhi.audit.actors import COMMAND_LINE
from lvzhi.org.models import User
from lvzhi.tokens import selectors, services
from lvzhi.tokens.models import AccessToken


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"账号“{username}”不存在或已停用。")
    return user


class Command(BaseCommand):
    help = "接口令牌：create 为账号创建令牌（只显示一次）；list 列出；revoke 撤销"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = sub.add_parser("create", help="创建令牌")
        create.add_argument("--user", required=True, help="令牌所属账号（令牌与该账号同权）")
        create.add_argument("--read-only", action="store_true", help="只读令牌：只能查询，不能修改")
        create.add_argument("--days", type=int, default=services.DEFAULT_DAYS,
                            help=f"有效天数（默认 {services.DEFAULT_DAYS}，最多 {services.MAX_DAYS}）")
        create.add_argument("--name", default="命令行创建", help="用途，便于日后辨认")
        listing = sub.add_parser("list", help="列出账号的令牌")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("id", type=int, help="令牌编号（见 list）")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _create(self, *, user, read_only, days, name, **_):
        owner = _user(user)
        try:
            token, plain = services.create_token(owner, name=name, days=days, read_only=read_only, actor=COMMAND_LINE)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        kind = "只读" if token.read_only else "读写"
        self.stderr.write(f"已为“{owner.get_username()}”创建{kind}令牌（编号 {token.pk}，"
                          f"{timezone.localtime(token.expires_at):%Y-%m-%d} 到期）。令牌只显示这一次，请妥善保存：")
        self.stdout.write(plain)  # alone on stdout, so a script can capture it

    def _list(self, *, user, **_):
        for t in selectors.tokens_of(_user(user)):
            used = f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}" if t.last_used_at else "未使用"
            self.stdout.write(f"{t.pk:>6}  {t.prefix}…  {t.state_label:<4} {'只读' if t.read_only else '读写'}  "
                              f"到期 {timezone.localtime(t.expires_at):%Y-%m-%d}  最近使用 {used}  {t.name}")

    def _revoke(self, *, id, **_):
        token = AccessToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(f"没有编号为 {id} 的令牌。")
        services.revoke_token(token, actor=COMMAND_LINE)
        self.stdout.write(f"已撤销令牌 {token.prefix}…（{token.name}）。")
