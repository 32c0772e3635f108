"""Personal access tokens for the API: a user's own credentials for scripts and integrations.

Only a SHA-256 digest of each token is stored (the token itself is shown once, when it is created). A token
acts as its user, within the user's units, optionally read-only, and stops working when it expires, is revoked
or its user is deactivated.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="access_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("令牌开头", max_length=16, help_text="令牌的前几个字符，用于辨认，不能用来登录")
    digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    read_only = models.BooleanField("只读", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def state_label(self) -> str:
        return {"active": "有效", "expired": "已过期", "revoked": "已撤销"}[self.state]
