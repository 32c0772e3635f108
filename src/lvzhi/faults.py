"""Fault-injection points for crash tests: ``LVZHI_FAULT=<name>`` makes the process die at that point, as a power
cut or ``kill -9`` would there. Unset (always, outside tests) a point costs one dictionary lookup."""

import os


def point(name: str) -> None:
    if os.environ.get("LVZHI_FAULT") == name:
        os._exit(70)
