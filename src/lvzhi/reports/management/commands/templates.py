from django.core.management.base import BaseCommand

from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit
from lvzhi.reports import families
from lvzhi.reports.models import ReportKind


class Command(BaseCommand):
    help = "列出内置和已保存的述职报告模板（名称、述职类别、版本）；指定 --unit 时标出该单位各类别的默认模板"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码或名称：标出该单位各述职类别的默认模板")
        add_user_option(parser)

    def handle(self, *args, unit=None, user=None, **options):
        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else None
        defaults = {}
        if target is not None:
            for kind, label in ReportKind.choices:
                defaults.setdefault(families.default_template(target, kind).key, []).append(label)
        kinds = dict(ReportKind.choices)
        for tpl in families.all_templates(scope):
            owner = "内置" if tpl.is_builtin else (tpl.unit.name if tpl.unit_id else "")
            line = f"{tpl.name}\t{kinds.get(tpl.kind, tpl.kind)}\t第{tpl.version}版\t{owner}"
            if tpl.key in defaults:
                line += f"\t← {target.name}默认：{'、'.join(defaults[tpl.key])}"
            self.stdout.write(line)
        self.stdout.write("（lvzhi report --template 可填模板名称或模板文件；--kind 按述职类别取单位的默认模板）")
