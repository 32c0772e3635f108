"""The verifier of a model's draft, on its own: numbers (Arabic and Chinese, by value), dates and names."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lvzhi.reports.verify import Evidence, chinese_value, verify

EVIDENCE = ("2023年检查发现：支部委员会会议：第一党支部2023年3月应不少于1次，实际0次。"
            "一车间“物资出库未登记”的整改尚未完成（时限2023年6月30日，已逾期）。"
            "学习教育覆盖率：2023年 34.1%，比上年（120人次）减少。")
EV = Evidence(EVIDENCE)
NAMES = {"周书记": "人员", "一车间": "单位", "二车间": "单位", "中共建议实业委员会": "党组织"}
DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """n (< 10^8) in Chinese numerals, as a writer would: 三十五, 一百零五, 两万."""
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((10**7, "千"), (10**6, "百"), (10**5, "十"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if zero and out else "") + DIGITS[d] + unit
            zero = False
        else:
            zero = True
        if value == 10**4 and n >= 10**4 and not out.endswith("万"):
            out += "万"
            zero = False
    return out[1:] if out.startswith("一十") else out


def test_a_faithful_draft_passes():
    draft = ("一是制度执行还有差距。2023年检查发现第一党支部支部委员会会议实际0次，应不少于1次。\n"
             "二是一车间“物资出库未登记”的整改已逾期，时限为6月30日。学习教育覆盖率为34.1%，比上年120人次减少。\n"
             "三是增强“四个意识”，落实“三会一课”，进一步压实“一岗双责”。")
    assert verify(draft, EV, NAMES) == []


def test_each_kind_of_invention_is_named():
    assert verify("开展谈话三十五次。", EV) == ["数字“三十五”在证据中没有。"]
    assert verify("覆盖率达到百分之九十。", EV) == ["数字“百分之九十”在证据中没有。"]
    assert verify("覆盖率提高到35.1%。", EV) == ["数字“35.1”在证据中没有。"]
    assert verify("投入2.5万元。", EV) == ["数字“2.5万”在证据中没有。"]
    assert verify("已于7月1日完成。", EV) == ["日期“7月1日”在证据中没有。"]
    assert verify("2023-06-30前完成，2023年7月启动。", EV) == ["日期“2023年7月”在证据中没有。"]
    assert verify("二车间同样存在问题。", EV, NAMES) == ["单位“二车间”在证据中没有。"]
    assert verify("李明同志牵头整改。", EV) == ["人名“李明同志”在证据中没有。"]
    assert verify("全体党员同志要提高认识。", EV) == []
    assert verify("   ", EV) == ["语言模型没有给出文字。"]


@given(st.integers(min_value=0, max_value=10**9))
def test_an_arabic_number_not_in_the_evidence_is_always_rejected(n):
    draft = f"今年共开展专项检查{n}次。"
    if Decimal(n) in EV.numbers:
        assert verify(draft, EV) == []
    else:
        assert verify(draft, EV) == [f"数字“{n}”在证据中没有。"]


@given(st.integers(min_value=0, max_value=10**7 - 1), st.sampled_from("个次项人名场篇件"))
def test_a_chinese_number_not_in_the_evidence_is_always_rejected(n, measure):
    assert chinese_value(chinese(n)) == n
    reasons = verify(f"全年开展{chinese(n)}{measure}活动。", EV)
    assert (reasons == []) == (Decimal(n) in EV.numbers)


@given(st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False))
def test_a_percentage_not_in_the_evidence_is_always_rejected(p):
    reasons = verify(f"覆盖率为{p}%。", EV)
    assert (reasons == []) == (p in EV.numbers)


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(1, 28))
def test_a_date_not_in_the_evidence_is_always_rejected(y, m, d):
    reasons = verify(f"于{y}年{m}月{d}日完成。", EV)
    assert (reasons == []) == ((y, m, d) == (2023, 6, 30))
