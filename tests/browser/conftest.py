"""Fixtures of the browser suite: an emulator process, the system's Chromium driven by Playwright
(never a downloaded browser), a page that fails its test on any console error, screenshots."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "sdk"))

# The SDK suite's process wrapper, loaded under its own name (both folders have a conftest).
_spec = importlib.util.spec_from_file_location("sdk_conftest", REPO_ROOT / "tests" / "sdk" / "conftest.py")
sdk_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sdk_conftest)
Emulator = sdk_conftest.Emulator

SCREENSHOTS = Path(os.environ.get("DASHBOARD_SCREENSHOTS", REPO_ROOT / "target" / "browser-screenshots"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("no Chromium: apt-get install chromium (the browser tests never download one)")


@pytest.fixture(scope="session")
def browser_context():
    profile = tempfile.mkdtemp(prefix="dashboard-profile-")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 860}, accept_downloads=True,
        )
        yield ctx
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


class Page:
    """A page of the dashboard; collects console errors, failed requests and foreign requests."""

    def __init__(self, context, base: str):
        self.base = base
        self.page = context.new_page()
        self.errors: list = []
        self.foreign: list = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("blob:")
                     or r.url.startswith("data:") or self.foreign.append(r.url))

    def open(self, tab: str = "overview"):
        self.page.goto(f"{self.base}/_emulator/ui/#{tab}")
        self.page.wait_for_selector("body[data-ready='1']")
        return self.page

    def shot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.fixture(scope="module")
def server():
    """Realistic timing on a manual clock: the page's clock buttons move it."""
    em = Emulator("browser", ["--timing", "realistic", "--clock", "manual", "--seed", "7"])
    yield em
    em.stop()


@pytest.fixture
def dash(browser_context, server):
    server.reset()
    server.control("/_emulator/faults", method="DELETE")
    p = Page(browser_context, server.url)
    yield p
    p.page.close()
    assert not p.errors, f"console errors: {p.errors}"
    assert not p.foreign, f"requests to other origins: {p.foreign}"
