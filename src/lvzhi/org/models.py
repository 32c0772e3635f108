"""The unit tree, Party organisations, people, accounts and their roles.

Units form a materialized-path tree (django-treebeard), so "everything under unit X" is one indexed
prefix condition on ``path``; records point at units by id, so moving a subtree keeps them consistent.
"""


import functools
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from treebeard.mp_tree import MP_Node

from lvzhi.records.models import DerivedFields

if TYPE_CHECKING:
    from .scoping import Scope


class UnitKind(models.TextChoices):
    GROUP = "group", "集团"
    COMPANY = "company", "公司"
    PLANT = "plant", "厂"
    DEPARTMENT = "department", "部门"
    WORKSHOP = "workshop", "车间"
    OTHER = "other", "其他"


class UnitCategory(models.TextChoices):
    ORGAN = "organ", "机关"
    GRASSROOTS = "grassroots", "基层"


class Unit(MP_Node):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices, default=UnitKind.OTHER)
    category = models.CharField("机关/基层", max_length=16, choices=UnitCategory.choices, default=UnitCategory.GRASSROOTS)
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True,
                                    help_text="单位存续的最后一天（合并或撤销）；此日之前的记录照常检查，跨过此日的期间不再计算应办事项")
    tracked_since = models.DateField(
        "纳入检查起始日期", null=True, blank=True,
        help_text="自该日起按规则检查本单位及其下级的应办事项；留空则沿用上级单位的设置（都没有则不检查，如仅作展示的上级集团）",
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    node_order_by = ["code"]

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name

    @property
    def parent_unit(self) -> "Unit | None":
        return Unit.objects.get_parent(self) if self.depth > 1 else None

    def ancestors(self):
        return Unit.objects.get_ancestors(self)

    @property
    def full_name(self) -> str:
        return "/".join([u.name for u in self.ancestors()] + [self.name])

    def subtree_q(self, prefix: str = "") -> models.Q:
        """Q for objects whose unit lies in this unit's subtree (including itself)."""
        return models.Q(**{f"{prefix}path__startswith": self.path})


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


class PartyOrg(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=PartyOrgKind.choices)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="party_orgs")
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    secretary = models.ForeignKey(
        "Person", verbose_name="书记", null=True, blank=True, on_delete=models.SET_NULL, related_name="secretary_of"
    )
    committee_members: "models.ManyToManyField[Person, Any]" = models.ManyToManyField(
        "Person", verbose_name="委员", blank=True, related_name="committee_of"
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True, help_text="党组织存续的最后一天")
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "unit"])]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    DOCTORATE = "doctorate", "博士研究生"
    POSTGRADUATE = "postgraduate", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大专"
    SECONDARY = "secondary", "中专及以下"


class Degree(models.TextChoices):
    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    NONE = "none", "无"


class PartyStatus(models.TextChoices):
    MEMBER = "member", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    NONE = "none", "非党员"


class CadreLevel(models.TextChoices):
    LEADERSHIP = "leadership", "班子成员"
    MIDDLE = "middle", "中层干部"
    GRASSROOTS = "grassroots", "基层管理人员"
    NONE = "none", "无"


class Person(DerivedFields, models.Model):
    code = models.CharField("工号", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    degree = models.CharField("学位", max_length=16, choices=Degree.choices, default=Degree.NONE)
    school = models.CharField("毕业院校", max_length=100, blank=True)
    double_first_class = models.BooleanField("双一流高校", default=False)
    major = models.CharField("专业", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="people")
    post = models.CharField("职务（岗位）", max_length=100, blank=True)
    cadre_level = models.CharField("干部层级", max_length=16, choices=CadreLevel.choices, default=CadreLevel.NONE)
    is_key_post = models.BooleanField("人财物关键岗位", default=False)
    is_reserve_cadre = models.BooleanField("后备干部", default=False)
    party_status = models.CharField("政治面貌", max_length=16, choices=PartyStatus.choices, default=PartyStatus.NONE)
    member_since = models.DateField("入党日期", null=True, blank=True)
    party_org = models.ForeignKey(
        PartyOrg, verbose_name="所在党组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    joined_on = models.DateField("入职日期", null=True, blank=True)
    left_on = models.DateField("离职日期", null=True, blank=True)
    pinyin = models.CharField("拼音", max_length=200, editable=False, db_index=True)
    pinyin_initials = models.CharField("拼音首字母", max_length=50, editable=False, db_index=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["code"]
        indexes = [models.Index(fields=["cadre_level", "unit"]), models.Index(fields=["party_org"])]

    def __str__(self) -> str:
        return self.name

    def fill_derived(self):
        """Search keys follow the name (bulk writers call this; save() does it for single writes)."""
        self.pinyin, self.pinyin_initials = pinyin_keys(self.name)

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    @property
    def birth_decade(self) -> str:
        """'80后' style cohort label, or '' when the birth date is unknown."""
        if not self.birth_date:
            return ""
        return f"{self.birth_date.year % 100 // 10 * 10:02d}后"


@functools.lru_cache(maxsize=20_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese name, lower case: 张三 → ('zhangsan', 'zs'). Remembered: an import of
    a province's 50,000 people asks for every name, and names repeat."""
    # pypinyin imported here, not with the models: its dictionaries are ~57 MB in every process that loads the
    # models (lvzhi check --all among them), and only writes of people need it.
    from pypinyin import lazy_pinyin

    syllables = _syllables_by_character(name)
    if syllables is None:
        syllables = lazy_pinyin(name, errors="ignore")
    # Style.FIRST_LETTER is each syllable's first letter (the same 45,197 names of the province scenario compared):
    # taken from the syllables instead of segmenting the name a second time
    return "".join(syllables).lower(), "".join(s[:1] for s in syllables).lower()


_BY_CHARACTER: dict[str, list[str] | None] = {}


def _syllables_by_character(name: str) -> list[str] | None:
    """lazy_pinyin(name) character by character (~10× faster: no segmentation, no converter per name), where that
    is what pypinyin itself does: it reads a phrase's own pinyin only for a part of the name that is in its phrase
    dictionary, and gives every other Chinese character its first reading. So: None (ask pypinyin) when any part of
    two characters or more is a phrase, or a character is not a plain Chinese character (pypinyin's rules for those)."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS

    if len(name) > 1:
        for i in range(len(name) - 1):
            for j in range(i + 2, len(name) + 1):
                if name[i:j] in PHRASES_DICT:
                    return None
    out: list[str] = []
    for ch in name:
        try:
            syllables = _BY_CHARACTER[ch]
        except KeyError:
            plain = ch not in PHRASES_DICT and ord(ch) in PINYIN_DICT and RE_HANS.fullmatch(ch) is not None
            syllables = _BY_CHARACTER[ch] = lazy_pinyin(ch, errors="ignore") if plain else None
        if syllables is None:
            return None
        out += syllables
    return out


class User(AbstractUser):
    """An account. Its roles on units (RoleAssignment) decide what it may see and change."""

    _lvzhi_scope: "Scope"  # what scope_for(user) found, kept for the request (a read-only token narrows it)

    person = models.ForeignKey(
        Person, verbose_name="对应人员", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or (self.person.name if self.person is not None else self.username)


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    SECRETARY = "secretary", "党委书记"
    ORGANIZER = "organizer", "党务干事"
    DISCIPLINE = "discipline", "纪委书记/纪检干事"
    PROPAGANDA = "propaganda", "宣传干事"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    READONLY = "readonly", "只读"


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    _approved_request: "RoleRequest"  # set by org.access on the grant an approved request makes

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def save(self, *args, **kwargs):
        """A confidential role comes into being (or moves to another account or unit) only through an approved
        request (``org.access.approve``), which marks the instance; every other door — the admin, a form, a
        script — is refused here, where they all pass."""
        from .scoping import CONFIDENTIAL_ROLES

        if self.role in CONFIDENTIAL_ROLES and getattr(self, "_approved_request", None) is None:
            before = None if self._state.adding else RoleAssignment.objects.filter(pk=self.pk).values(
                "user_id", "unit_id", "role").first()
            if before != {"user_id": self.user_id, "unit_id": self.unit_id, "role": self.role}:
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied("授予保密角色（党委书记、纪委书记/纪检干事）须经第二位有权人员批准："
                                       "请在“保密角色授权”页面提出申请。")
        super().save(*args, **kwargs)


class UnitFact(models.Model):
    """A named fact about a unit that reports quote: its strategy, its Party-building brand names …"""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="facts")
    key = models.SlugField("键", max_length=50, help_text="模板中引用的名称，如 strategy、party_brand")
    label = models.CharField("名称", max_length=100)
    value = models.CharField("内容", max_length=300)
    date = models.DateField("起始日期", help_text="该事实自何时起成立；报告取期末有效的最新一条")
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "单位事实"
        verbose_name_plural = "单位事实"
        constraints = [models.UniqueConstraint(fields=["unit", "key", "date"], name="unique_unit_fact")]

    def __str__(self) -> str:
        return f"{self.label}：{self.value}"


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", "待批准"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class RoleRequest(models.Model):
    """A request to grant a confidential role (党委书记, 纪委书记/纪检干事): it takes effect only when a second,
    authorised person approves it (``org.access``). Nobody — the superuser included — can grant such a role alone."""

    user = models.ForeignKey(User, verbose_name="授予账号", on_delete=models.CASCADE, related_name="role_requests")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    reason = models.CharField("理由", max_length=300)
    requested_by = models.ForeignKey(User, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+")
    requested_by_name = models.CharField("申请人姓名", max_length=150)
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField("状态", max_length=16, choices=RoleRequestStatus.choices, default=RoleRequestStatus.PENDING)
    decided_by = models.ForeignKey(User, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_by_name = models.CharField("审批人姓名", max_length=150, blank=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "保密角色授权申请"
        verbose_name_plural = "保密角色授权申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], condition=models.Q(status="pending"),
                                               name="one_pending_role_request")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}（{self.get_status_display()}）"
