import pytest

from lvzhi.org.models import Person, pinyin_keys
from lvzhi.org.scoping import Scope
from lvzhi.org.selectors import search_people

pytestmark = pytest.mark.django_db


def test_pinyin_keys():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("王振华") == ("wangzhenhua", "wzh")


def test_pinyin_initials_are_pypinyins_first_letters_heteronyms_and_mixed_names_too():
    """pinyin_keys takes the initials from the syllables (one segmentation, not two): the same as pypinyin's
    FIRST_LETTER style, for surnames with several readings, phrases, Latin letters and spaces."""
    from pypinyin import Style, lazy_pinyin

    names = ["单雄信", "曾小贤", "长孙无忌", "欧阳 修", "Tom李", "张A三", "乐乐", "吕布", "女娲", "重庆", "〇", ""]
    for name in names:
        pinyin_keys.cache_clear()
        expected = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
        assert pinyin_keys(name) == ("".join(lazy_pinyin(name, errors="ignore")).lower(), expected), name


def test_pinyin_character_by_character_where_pypinyin_does_the_same_else_pypinyin():
    """Names with no part in pypinyin's phrase dictionary are read character by character (first readings), the
    others by pypinyin itself: the same result both ways, for generated names and for names with phrases (长江,
    重庆, 解放), rare readings (单, 曾, 乐) and characters pypinyin treats apart (〇, Latin letters)."""
    import random

    from pypinyin import lazy_pinyin

    from lvzhi.org.models import _syllables_by_character

    rng = random.Random(7)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘单解区仇查朴乐"
    given = "的一是了我不人在他有这个上们来到时大地为子中国年着就和要出得里后自会家可下而过天能对小多然于心学之都好"
    given += "看起发当成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期长重传调藏朝"
    names = [rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice([1, 2, 3])))
             for _ in range(3000)]
    names += ["单田芳", "曾国藩", "张长江", "李重庆", "解放", "朝阳", "乐乐", "张A三", "〇一", "欧阳修", "王振华", "吕"]
    fast = 0
    for name in names:
        pinyin_keys.cache_clear()
        full = "".join(lazy_pinyin(name, errors="ignore")).lower()
        assert pinyin_keys(name)[0] == full, name
        fast += _syllables_by_character(name) is not None
    assert _syllables_by_character("王振华") == ["wang", "zhen", "hua"]
    assert _syllables_by_character("张长江") is None  # 长江 is a phrase: pypinyin reads it as one
    assert _syllables_by_character("张A三") is None
    assert fast > len(names) // 2


def test_search_by_initials_full_pinyin_name_and_code(company):
    Person.objects.create(code="T000001", name="张三", gender="male", unit=company)
    scope = Scope.everything()
    assert "张三" in [p.name for p in search_people(scope, "zs")]
    assert "张三" in [p.name for p in search_people(scope, "ZhangS")]
    assert [p.name for p in search_people(scope, "T000001")] == ["张三"]
    assert "张三" in [p.name for p in search_people(scope, "张")]


def test_api_search_uses_pinyin(api_as):
    r = api_as("dangban").get("/api/people/?search=wzh")
    assert "王振华" in [p["name"] for p in r.json()["results"]]


def test_birth_decade_label(company):
    import datetime as dt

    assert Person(name="甲", birth_date=dt.date(1986, 5, 1)).birth_decade == "80后"
    assert Person(name="乙", birth_date=dt.date(2001, 5, 1)).birth_decade == "00后"


def test_pinyin_is_kept_in_sync_on_save(company):
    p = Person.objects.create(code="T000002", name="李四", gender="male", unit=company)
    p.name = "赵六"
    p.save()
    assert Person.objects.get(pk=p.pk).pinyin_initials == "zl"


def test_lookup_suggests_people_by_initials_within_scope(client_as):
    body = client_as("dangban").get("/org/people/lookup/?q=wzh").content.decode()
    assert "王振华（P000001）" in body
    assert "王振华" not in client_as("zhibu").get("/org/people/lookup/?q=wzh").content.decode()
