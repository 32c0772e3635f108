"""The optional language model: a real HTTP server in a thread speaks the OpenAI chat-completions JSON, and the
writer page's draft door (htmx) offers a faithful draft, rejects one with an invented number, person or date (with
the reasons, in Chinese), and turns a timeout or a 500 into a Chinese message — the evidence-built suggestion stays."""

import time

import pytest

from lvzhi.reports import llm
from lvzhi.reports.models import DutyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(small_org, client):
    report = DutyReport.objects.create(unit=small_org["company"], year=2023, template=small_org["template"],
                                       secretary=small_org["sec"])
    client.force_login(small_org["clerk"])
    return client, report


def _draft(client, report, key="problems"):
    r = client.post(f"/reports/{report.pk}/draft/{key}/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    return r.content.decode()


def test_a_faithful_draft_is_offered_and_the_prompt_lists_the_evidence(fake_model, writer):
    client, report = writer
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "请语言模型起草“存在的问题和不足”" in page
    fake_model.reply = ("一是问题整改还不到位，一车间“物资出库未登记”的整改尚未完成，已逾期。\n"
                        "二是上年度述职评议指出的“谈心谈话覆盖不全”问题仍在整改，2023年9月30日的时限已过。")
    html = _draft(client, report)
    assert "语言模型的草稿</b>" in html and "未采用" not in html
    assert 'data-accept-section="problems"' in html and "物资出库未登记" in html
    asked = fake_model.requests[0]
    assert asked["path"] == "/v1/chat/completions" and asked["auth"] == "Bearer k-test"
    assert asked["body"]["model"] == "qwen-local"
    user = asked["body"]["messages"][-1]["content"]
    assert "存在的问题和不足" in user and "物资出库未登记" in user and "谈心谈话覆盖不全" in user


def test_a_draft_stating_what_the_evidence_does_not_is_rejected_with_the_reasons(fake_model, writer):
    client, report = writer
    fake_model.reply = ("一是全年开展廉政谈话37次。\n二是由周书记牵头整改“物资出库未登记”问题，"
                        "已于2023年11月5日完成。")
    html = _draft(client, report)
    assert "语言模型的草稿未采用" in html
    for reason in ("数字“37”在证据中没有", "人员“周书记”在证据中没有", "日期“2023年11月5日”在证据中没有"):
        assert reason in html
    assert "廉政谈话37次" not in html and "data-accept-section" not in html  # the rejected draft is not offered
    assert "请使用上方根据证据生成的建议段落" in html


@pytest.mark.parametrize("status, delay, message", [
    (200, 2.0, "语言模型在 1 秒内没有答复"),
    (500, 0.0, "语言模型服务返回错误（HTTP 500）"),
])
def test_a_timeout_or_an_error_is_a_chinese_message_and_the_suggestion_stays(fake_model, writer, status, delay, message):
    client, report = writer
    fake_model.status, fake_model.delay, fake_model.reply = status, delay, "一是问题整改还不到位。"
    html = _draft(client, report)
    assert message in html and "请使用上方根据证据生成的建议段落" in html
    started = time.monotonic()  # the call itself gives up after the configured time
    with pytest.raises(llm.LlmError, match=message):
        llm.chat([{"role": "user", "content": "试"}])
    assert time.monotonic() - started < 1.9
    if status == 500:
        page = client.get(f"/reports/{report.pk}/").content.decode()
        assert 'data-accept-section="problems"' in page  # the evidence-built paragraphs are still there


def test_an_unreachable_model_and_a_section_without_evidence(writer, settings):
    client, report = writer
    settings.LLM_URL, settings.LLM_TIMEOUT = "http://127.0.0.1:9/v1/chat/completions", 1.0
    assert "无法连接语言模型服务" in _draft(client, report)
    assert client.post(f"/reports/{report.pk}/draft/nosuch/").status_code == 404


def test_the_cli_draft_prints_a_verified_draft_or_the_reasons(fake_model, small_org):
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    fake_model.reply = "一是问题整改还不到位，“物资出库未登记”的整改已逾期。"
    call_command("report", "--unit", "JY01", "--year", "2023", "--kind", "annual", "--suggest", "--draft",
                 stdout=out, stderr=err)
    assert "语言模型草稿（已核对）：\n一是问题整改还不到位" in out.getvalue()
    fake_model.reply = "一是全年督导48次。"
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "--unit", "JY01", "--year", "2023", "--kind", "annual", "--suggest", "--draft",
                 stdout=out, stderr=err)
    assert "督导48次" not in out.getvalue() and "语言模型草稿未采用：数字“48”在证据中没有。" in err.getvalue()
    assert "【存在的问题和不足】建议段落" in out.getvalue()  # the evidence-built paragraphs stay
