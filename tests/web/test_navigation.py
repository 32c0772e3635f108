"""What each role sees in the navigation: its own first-level menu (labels and where they lead, in order), the
rest one level down, and nothing it has no business opening. Every link it is shown opens."""

import re

import pytest

pytestmark = pytest.mark.django_db

# Written out, not read from web/menus.py: a change to a role's menu must show up here.
PRIMARY = {
    "admin_demo": [("待办", "/obligations/warnings/"), ("合规看板", "/obligations/dashboard/"), ("单位树", "/org/tree/"),
                   ("检查规则", "/obligations/rules/"), ("数据导入导出", "/imports/dataset/"), ("审计日志", "/audit/")],
    "shuji": [("待办", "/obligations/warnings/"), ("合规看板", "/obligations/dashboard/"), ("述职报告", "/reports/"),
              ("党委会", "/records/committee_meeting/"), ("三重一大事项", "/records/major_matter/"), ("指标", "/metrics/")],
    "dangban": [("待办", "/obligations/warnings/"), ("合规看板", "/obligations/dashboard/"),
                ("党委会", "/records/committee_meeting/"), ("学习", "/records/study_session/"),
                ("支部活动", "/records/branch_activity/"), ("人员", "/records/person/"), ("述职报告", "/reports/")],
    "jiwei": [("待办", "/obligations/warnings/"), ("合规看板", "/obligations/dashboard/"),
              ("监督检查", "/records/inspection/"), ("整改", "/records/rectification/"),
              ("廉政谈话", "/records/integrity_talk/"), ("问责", "/records/accountability/")],
    "xuanchuan": [("待办", "/obligations/warnings/"), ("意识形态工作报告", "/records/ideology_report/"),
                  ("推送", "/records/media_post/"), ("宣传稿件", "/records/publication/"),
                  ("主题宣传教育活动", "/records/campaign/")],
    "zhibu": [("待办", "/obligations/warnings/"), ("本支部记录", "/records/branch_activity/"),
              ("党员", "/records/person/"), ("报告材料", "/reports/")],
    "chakan": [("合规看板", "/obligations/dashboard/"), ("指标", "/metrics/"), ("述职报告", "/reports/")],
}
GROUPS = ["检查与报告", "基层党建工作责任制", "党风廉政建设责任制", "意识形态工作责任制", "组织与人员", "系统"]
GRANTS_CONFIDENTIAL_ROLES = {"admin_demo", "shuji", "jiwei"}  # 保密角色授权: who may hand out 纪委 access


def _nav(client):
    body = client.get("/").content.decode()
    nav = re.search(r'<nav class="side".*?</nav>', body, re.S).group(0)
    first, _, more = nav.partition("<details")
    links = lambda html: [(label.strip(), href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)]  # noqa: E731
    side, _, account = more.partition('<div class="phone-only">')  # the account links, shown on phones
    return links(first), links(side) + links(account), re.findall(r"<h3>([^<]+)</h3>", side)


@pytest.mark.parametrize("role", list(PRIMARY))
def test_each_role_sees_its_own_menu_first(client_as, role):
    first, more, groups = _nav(client_as(role))
    assert first == [("工作台", "/")] + PRIMARY[role]
    assert groups == GROUPS
    hrefs = {href for _, href in more}
    assert ("/imports/dataset/" in hrefs) == (role == "admin_demo")  # the whole-dataset move: administrators only
    assert ("/org/access/" in hrefs) == (role in GRANTS_CONFIDENTIAL_ROLES)
    # rules are data with a page of their own (检查规则), not a record list in the menu
    assert "/obligations/rules/" in hrefs and "/records/obligation_rule/" not in hrefs
    labels = {label for label, _ in more}
    assert {"支部活动", "党委会", "监督检查", "单位树", "审计日志", "指标"} <= labels


@pytest.mark.parametrize("role", ["zhibu", "chakan", "jiwei"])
def test_every_link_a_role_is_shown_opens(client_as, role):
    c = client_as(role)
    first, more, _ = _nav(c)
    skip = {"/admin/", "/api/docs/"}  # Django's admin (staff only) and the API docs page are checked elsewhere
    for label, href in dict.fromkeys(first + more):
        if href in skip:
            continue
        status = c.get(href).status_code
        assert status == 200, f"{role}: {label} {href} → {status}"
