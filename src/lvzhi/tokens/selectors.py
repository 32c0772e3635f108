from .models import AccessToken


def tokens_of(user):
    """A user's own tokens, newest first (nobody sees another user's tokens, administrators included)."""
    return AccessToken.objects.filter(user=user)
