"""Who a change is by: a person (their account) or a named system actor (the command line, the demo loader, the
scale generator …). Every service that writes takes an ``Actor``; the audit trail records the person's id and
name, or the system actor's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from lvzhi.org.models import User


@dataclass(frozen=True)
class SystemActor:
    """A writer that is not a person; ``name`` is what the audit log shows (Chinese)."""

    name: str

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = Union["User", SystemActor]

SYSTEM = SystemActor("系统")  # the site itself (built-in templates, migrations' data)
COMMAND_LINE = SystemActor("命令行")  # a `lvzhi …` command run without --user
DEMO = SystemActor("演示数据")
SCALE = SystemActor("规模测试数据")


def person(actor: Actor) -> User | None:
    """The account behind ``actor``, or None for a system actor (a ``created_by`` stays empty)."""
    from lvzhi.org.models import User

    return actor if isinstance(actor, User) else None


def name_of(actor: Actor) -> str:
    """The name the audit log and the records show."""
    user = person(actor)
    if user is not None:
        return user.get_full_name() or user.get_username()
    return str(actor)  # a SystemActor's name


def id_and_name(actor: Actor) -> tuple[int | None, str]:
    user = person(actor)
    return (user.pk, name_of(user)) if user is not None else (None, name_of(actor))
