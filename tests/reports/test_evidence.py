"""The evidence beside sections 二 and 三: what the checks found, in sentences a writer can insert."""

import pytest
from django.test import override_settings

from lvzhi.org.scoping import scope_for
from lvzhi.reports import evidence


@pytest.fixture
def demo_clock():
    with override_settings(LVZHI_AS_OF="2023-01-10"):
        yield


def test_the_demo_gaps_are_sentences_linked_to_their_list(db, users, company, demo_clock, client_as):
    groups = {g["title"]: g["items"] for g in evidence.evidence_for(scope_for(users["shuji"]), company, 2022)}
    late = groups["检查发现的逾期事项与覆盖缺口"]
    committee = [i for i in late if i["text"].startswith("支部委员会会议：")]
    assert len(committee) == 3  # the three missed 支委会 planted in the demo
    assert all("2022年" in i["text"] and "应不少于1次" in i["text"] for i in committee)
    assert not any("Problem(" in i["text"] for i in late)
    page = client_as("shuji").get(committee[0]["url"])  # the link opens the rule's list of what is missing
    assert page.status_code == 200
    assert committee[0]["text"].split("：")[1] in page.content.decode()


def test_many_late_items_of_one_rule_are_one_line(db, users, company, demo_clock, monkeypatch):
    monkeypatch.setattr(evidence, "SHOWN_PER_RULE", 2)
    late = evidence.late_obligations(scope_for(users["shuji"]), company, 2022)
    committee = [i for i in late if i["text"].startswith("支部委员会会议：")]
    assert len(committee) == 1
    assert committee[0]["text"].startswith("支部委员会会议：逾期3项（") and committee[0]["text"].endswith("等3个）。")
