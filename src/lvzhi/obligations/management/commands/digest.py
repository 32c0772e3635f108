import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lvzhi.obligations import webhooks
from lvzhi.obligations.digest import send_digests


class Command(BaseCommand):
    help = "向有电子邮箱的用户发送预警摘要邮件（其权限范围内逾期和即将到期的事项），可由 cron 每天运行"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认：截至日期所在年度）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期（默认今天）")
        parser.add_argument("--user", action="append", dest="users", help="只发给该账号（可多次指定）")
        parser.add_argument("--dry-run", action="store_true", help="只显示将发送的邮件，不发送")

    def handle(self, *args, year=None, as_of=None, users=None, dry_run=False, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"截至日期“{as_of}”格式不对，应为 2022-12-31。") from None
        results = send_digests(year=year, as_of=day, usernames=users, dry_run=dry_run)
        sent = 0
        for username, message in results:
            if message is None:
                self.stdout.write(f"{username}：没有逾期或即将到期的事项，不发送。")
                continue
            sent += 1
            action = "将发送" if dry_run else "已发送"
            self.stdout.write(f"{username}：{action}“{message.subject}”至 {', '.join(message.to)}")
        if not results:
            self.stdout.write("没有设置电子邮箱的用户。")
        try:
            deliveries = webhooks.send_group_digests(year=year, as_of=day, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for d in deliveries:
            if d.error:
                self.stderr.write(f"群机器人（{d.unit_code}）：{d.error}")
            elif d.text is None:
                self.stdout.write(f"群机器人（{d.unit_code}）：没有逾期或即将到期的事项，不发送。")
            else:
                self.stdout.write(f"群机器人（{d.unit_code}）：{'将发送' if dry_run else '已发送'}待办摘要"
                                  f"（{len(d.text.splitlines()) - 1} 行）。")
        self.stdout.write(self.style.SUCCESS(f"共{'将发送' if dry_run else '发送'} {sent} 封。"))
