import multiprocessing

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站（gunicorn 生产级服务器），默认 127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）")
        parser.add_argument("--workers", type=int, default=max(2, multiprocessing.cpu_count()))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **options):
        from gunicorn.app.base import BaseApplication

        from lvzhi.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"履职已启动：http://{bind}/ （Ctrl+C 停止；数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}）")

        class App(BaseApplication):
            def load_config(self):
                for key, value in {"bind": bind, "workers": workers, "threads": threads, "timeout": 300,
                                   "accesslog": "-" if settings.DEBUG else None, "worker_class": "gthread"}.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        App().run()
