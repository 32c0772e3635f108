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

        call_command("collectstatic", interactive=False, verbosity=0)
        # Loaded after collectstatic: WhiteNoise lists the collected (hashed) files when the application starts.
        from lvzhi.wsgi import application

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"履职已启动：http://{bind}/ （Ctrl+C 停止；数据库：{engine}）")
        if settings.LVZHI_AS_OF:
            self.stdout.write(f"网站以 {settings.LVZHI_AS_OF} 为“今天”（{settings.LVZHI_AS_OF_SOURCE}）。")

        class App(BaseApplication):
            def load_config(self):
                for key, value in {
                    "bind": bind, "workers": workers, "threads": threads, "timeout": 300, "worker_class": "gthread",
                    # lvzhi writes its own access log (with request id and user); gunicorn's goes nowhere.
                    "accesslog": None, "errorlog": "-",
                    # X-Forwarded-Proto (https behind the proxy) is believed from these addresses only. gunicorn
                    # takes single addresses, not networks; Django's own check (TrustedProxyMiddleware) covers both.
                    "forwarded_allow_ips": ",".join(_single_addresses(settings.TRUSTED_PROXIES)),
                }.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        App().run()


def _single_addresses(networks: list[str]) -> list[str]:
    import ipaddress

    return [str(n.network_address) for n in map(ipaddress.ip_network, networks) if n.num_addresses == 1]
