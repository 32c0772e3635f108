"""The garbage collector around a rule's cells (``engine._no_collection``): paused while they are built, and what
was made meanwhile is not walked by the next young collection (it went to the oldest generation unexamined)."""

from __future__ import annotations

import gc

from lvzhi.obligations.engine import _no_collection


def test_objects_made_while_paused_go_to_the_oldest_generation_unexamined():
    assert gc.isenabled()
    gc.collect()  # every generation's count at 0: no middle collection will follow the next young one
    with _no_collection():
        assert not gc.isenabled()
        made = [[i] for i in range(20_000)]  # tracked objects, far past the young generation's threshold (700)
    assert gc.isenabled()
    # Resumed, a young collection would have walked them into the middle generation; they are in the oldest.
    assert any(o is made for o in gc.get_objects(generation=2))
    assert not any(o is made for o in gc.get_objects(generation=1))
    assert gc.get_count()[0] < 700


def test_a_pause_inside_a_pause_leaves_the_collector_to_the_outer_one():
    with _no_collection():
        with _no_collection():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
