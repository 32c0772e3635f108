"""Demo section "partybuilding": the company's party-building records for 2021 and 2022.

The story (demo/story.py, DEMO-STORY): the committee meets and studies, every branch keeps its 三会一课 and the
rest, the secretary turns the 有机硅厂 around from their contact point, two branches become 省级示范党支部.
Everything complies with RULES.md except the planted misses of 支部委员会 (story.MISSED_BRANCH_COMMITTEE_MEETINGS).
"""

from __future__ import annotations

import random

from lvzhi.audit.services import Change

from .. import story
from . import branches, committee, contact, outreach
from .common import World


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 2)
    w = World.build()
    changes: list[Change] = []
    for part in (committee, branches, contact, outreach):
        # each part draws from its own stream, so changing one part leaves the others' records as they were
        changes += part.load(random.Random(rng.randrange(2**32)), w)
    return changes
