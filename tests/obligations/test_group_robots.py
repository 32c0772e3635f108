"""The daily 待办 digest to 企业微信/钉钉 group robots, against a local fake robot on 127.0.0.1 (no other address):
off by default, one text message per configured unit with that unit's late items, a refusal reported not raised."""

import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from lvzhi.obligations import webhooks

from . import builders

pytestmark = pytest.mark.django_db


class FakeRobot:
    """A group robot: records each JSON body; answers like the real ones (errcode 0, or the given error)."""

    def __init__(self, errcode=0):
        self.received = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's name
                length = int(self.headers["Content-Length"])
                robot.received.append((self.path, self.headers["Content-Type"], json.loads(self.rfile.read(length))))
                answer = {"errcode": errcode, "errmsg": "ok" if errcode == 0 else "invalid webhook url"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tc(db, settings):
    settings.LVZHI_AS_OF = "2022-04-20"  # the workshop branch has held no 支委会 this year: Jan–Mar are late
    return builders.company()


def test_off_by_default(tc, settings):
    assert settings.DIGEST_WEBHOOKS == ""
    assert webhooks.send_group_digests() == []


def test_each_group_gets_its_units_late_items(tc, settings):
    with FakeRobot() as wecom, FakeRobot() as dingtalk:
        settings.DIGEST_WEBHOOKS = f"TC-P1-W1={wecom.url}, TC-D1={dingtalk.url}"
        out = io.StringIO()
        call_command("digest", stdout=out)
    assert len(wecom.received) == 1 and len(dingtalk.received) == 1
    path, ctype, body = wecom.received[0]
    assert path == "/cgi-bin/webhook/send?key=test" and ctype.startswith("application/json")
    assert body["msgtype"] == "text"
    text = body["text"]["content"]
    assert text.startswith("【履职】一车间待办：截至2022年04月20日，2022年逾期")
    assert "支部委员会会议｜一车间党支部" in text and "财务部" not in text
    assert "财务部党支部" in dingtalk.received[0][2]["text"]["content"]
    assert len(text.encode()) <= 2048
    assert "群机器人（TC-P1-W1）：已发送待办摘要" in out.getvalue()


def test_a_refusing_robot_is_reported_and_dry_run_sends_nothing(tc, settings):
    with FakeRobot(errcode=93000) as robot:
        settings.DIGEST_WEBHOOKS = f"TC-P1-W1={robot.url}"
        [d] = webhooks.send_group_digests()
        assert d.error == "机器人拒收：93000 invalid webhook url"
        webhooks.send_group_digests(dry_run=True)
    assert len(robot.received) == 1


def test_a_long_digest_is_cut_to_fit_and_says_how_many_more(tc):
    text = webhooks.compose(tc.company, as_of=dt.date(2022, 12, 31))
    assert len(text.encode()) <= webhooks.MAX_BYTES
    assert "……另有" in text.splitlines()[-1]


def test_a_malformed_setting_is_refused_in_words(settings):
    with pytest.raises(ValueError, match="应写成“单位编码=https://…”"):
        webhooks.targets("JH01 ftp://x")
