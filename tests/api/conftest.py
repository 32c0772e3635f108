import pytest
from rest_framework.test import APIClient


@pytest.fixture
def token_for(users):
    """token_for('dangban', read_only=True) → a new access token (the plain text) of that demo user."""
    from lvzhi.tokens import services

    def make(username, **kwargs):
        kwargs.setdefault("name", "测试")
        return services.create_token(users[username], **kwargs)[1]

    return make


@pytest.fixture
def bearer(token_for):
    """bearer('dangban') → an API client that sends a new token of that user (no session, no CSRF)."""

    def client(username, **kwargs):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(username, **kwargs)}")
        return c

    return client
