"""/api/tokens/: a user's own access tokens — list, create (the token is in the answer, once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from . import selectors, services
from .models import AccessToken

STATES = [("active", "有效"), ("expired", "已过期"), ("revoked", "已撤销")]


class TokenSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=STATES, read_only=True, label="状态")

    class Meta:
        model = AccessToken
        fields = ["id", "name", "prefix", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at",
                  "state"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label="用途")
    days = serializers.IntegerField(min_value=1, max_value=services.MAX_DAYS, default=services.DEFAULT_DAYS,
                                    label="有效天数")
    read_only = serializers.BooleanField(default=False, label="只读")


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="令牌本身：只在创建时返回这一次，系统不保存。")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(tags=["接口令牌"], summary="我的接口令牌"),
    retrieve=extend_schema(tags=["接口令牌"], summary="接口令牌详情"),
    create=extend_schema(tags=["接口令牌"], summary="创建接口令牌", request=TokenCreateSerializer,
                         responses={201: TokenCreatedSerializer}),
    destroy=extend_schema(tags=["接口令牌"], summary="撤销接口令牌"),
)
class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """接口令牌：只列出当前账号自己的令牌；令牌与账号同权（可设为只读），到期或撤销后失效。"""

    serializer_class = TokenSerializer
    queryset = AccessToken.objects.none()  # the schema's model; get_queryset gives the user's own

    def get_queryset(self):
        return selectors.tokens_of(self.request.user)

    def create(self, request, *args, **kwargs):
        form = TokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        current = request.auth if isinstance(request.auth, AccessToken) else None
        token, plain = services.create_token(
            request.user, actor=request.user, not_after=current.expires_at if current else None,
            **form.validated_data)
        token.token = plain
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.revoke_token(instance, actor=self.request.user)
