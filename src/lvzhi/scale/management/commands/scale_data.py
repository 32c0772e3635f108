from django.core.management.base import BaseCommand, CommandError

from lvzhi.scale.generate import DEFAULT_END_YEAR, expected_rows, generate
from lvzhi.scale.scenarios import SCENARIOS


class Command(BaseCommand):
    help = "生成规模测试数据（确定性）：company（12个单位/60个支部）、province（300/1,500）、central（2,000/20,000）"

    def add_arguments(self, parser):
        parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True, help="规模：company|province|central")
        parser.add_argument("--years", type=int, default=1, help="生成几年的记录（截至 --end-year，默认 1 年）")
        parser.add_argument("--end-year", type=int, default=DEFAULT_END_YEAR, help=f"最后一年（默认 {DEFAULT_END_YEAR}）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同参数生成相同数据）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, scenario, years, end_year, seed, no_progress, **options):
        from tqdm import tqdm

        if not 1 <= years <= 10:
            raise CommandError("--years 应在 1 到 10 之间。")
        sc = SCENARIOS[scenario]
        bar = tqdm(total=expected_rows(sc, years), unit="行", unit_scale=True,
                   disable=True if no_progress else None,  # None: only on a terminal (not in cron or CI logs)
                   desc=f"生成 {sc.name}")
        try:
            result = generate(sc, years=years, seed=seed, end_year=end_year, progress=bar.update)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        self.stdout.write(
            f"已生成“{sc.name}”（{sc.code}）：{sc.units} 个单位、{result.branches} 个党支部、{result.people} 人"
            f"（党员 {result.members} 人），{result.first_year}—{result.last_year} 年，共写入 {result.rows} 行，"
            f"用时 {result.seconds:.0f} 秒。纳入检查起始日期：{result.first_year}-01-01。")
