"""Test helper: what a stage's generator returns once its events are drained."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any


def returned(gen: Generator[Any, None, Any]) -> Any:
    """Drain ``gen`` (its events are not looked at) and give back its return value."""
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value
