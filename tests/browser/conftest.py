"""Browser fixtures: Debian's Chromium driven by Playwright (one normal, one with only loopback reachable)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import BASE_ARGS, CHROMIUM, OFFLINE_ARGS, Shots


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=BASE_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def offline_browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=BASE_ARGS + OFFLINE_ARGS)
    yield b
    b.close()


@pytest.fixture
def shots(request) -> Shots:
    return Shots(request.node.name.replace("[", "-").replace("]", ""))
