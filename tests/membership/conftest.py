import pytest

from . import builders


@pytest.fixture
def river(db):
    return builders.build()
