"""/docs renders the operations in a real headless Chromium, with no internet."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
import yaml
from flask import Flask
from werkzeug.serving import make_server

from tests.api.test_contract import SPEC_PATH

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def served_app(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser(tmp_path):  # type: ignore[no-untyped-def]
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium and chromedriver for the /docs test")
        pytest.skip("Chromium or chromedriver is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_docs_render_every_operation_from_local_assets(served_app: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{served_app}/docs/")
    operation_count = sum(
        1 for item in yaml.safe_load(SPEC_PATH.read_text())["paths"].values()
        for method in item if method in {"get", "post", "put", "patch", "delete"}
    )
    WebDriverWait(browser, 20).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= operation_count
    )
    summaries = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    assert "/v1/entities" in summaries
    # Every script and stylesheet came from this server: the page works offline.
    sources = browser.execute_script(
        "return Array.from(document.querySelectorAll('script[src],link[href]'))"
        ".map(e => e.src || e.href)"
    )
    assert sources and all(src.startswith(served_app) for src in sources), sources
