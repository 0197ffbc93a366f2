"""The console's main paths in a real headless Chromium: sign-in, search, the entity page,
a screening and its explanation, a review that the next screening shows, a CSV upload whose
progress bar reaches 100 %, and a form posted without its CSRF token being refused.

The data is the seeded registry and the real OFAC SDN excerpt of 2024-05. With
XREF_UPDATE_SCREENSHOTS=1 the entity page and a screening explanation are saved under
docs/screenshots/ for the README.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select
from werkzeug.serving import make_server

from service.jobs.serving import start_runner
from service.models import Review
from service.security.keys import create_key
from tests.conftest import OFAC_EXCERPTS, import_excerpt

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def analyst_key(session: Session) -> str:
    import_excerpt(session, "sdn-2024-05")
    _record, key = create_key("analyst", ["read", "screen"], session=session)
    session.commit()
    return key


@pytest.fixture
def console(make_app: Any, analyst_key: str) -> Iterator[str]:
    # Reads are not public here: every page must send a stranger to sign-in.
    app: Flask = make_app(public_read=False, job_chunk_size=20)
    start_runner(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _shot(element: Any, name: str, tmp_path: Path) -> None:
    folder = SCREENSHOTS if os.environ.get("XREF_UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    assert element.screenshot(str(folder / name))


def _only_local(driver: Any, base: str) -> None:
    sources = driver.execute_script(
        "return Array.from(document.querySelectorAll('script[src],link[href],img[src]'))"
        ".map(e => e.src || e.href)")
    assert sources and all(src.startswith(base) for src in sources), sources


def _go(driver: Any, element: Any) -> None:
    """Clicks the link or button and waits for the next page (a click does not wait)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_: Any) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            # Chromium sometimes reports the old page's node this way while it is replaced,
            # rather than as a stale element.
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    WebDriverWait(driver, 30).until(replaced)


def _sign_in(driver: Any, base: str, key: str, page: str = "/ui/search") -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + page)
    assert "/ui/login" in driver.current_url
    driver.find_element(By.ID, "key").send_keys(key)
    _go(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.current_url.startswith(base + page)


def test_sign_in_search_entity_and_screening_explained(
        console: str, browser: Any, analyst_key: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.set_window_size(1200, 1000)
    browser.get(console + "/ui/login")
    browser.find_element(By.ID, "key").send_keys("xref_not-a-real-key")
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "unknown or has been revoked" in browser.find_element(By.ID, "key-error").text

    _sign_in(browser, console, analyst_key)
    cookie = browser.get_cookie("xref_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "analyst" not in cookie["value"] and analyst_key not in cookie["value"]

    browser.find_element(By.ID, "q").send_keys("Kataib")
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form[role=search] button"))
    rows = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=registry-h] tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Kataib Hezbollah"]
    assert "listed" in rows[0].text and "FTO" in rows[0].text
    entries = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=entries-h]").text
    assert "KATA'IB HIZBALLAH" in entries and "11462" in entries
    _only_local(browser, console)

    _go(browser, rows[0].find_element(By.LINK_TEXT, "Kataib Hezbollah"))
    status = browser.find_element(By.CSS_SELECTOR, "table.status")
    sdn = next(r for r in status.find_elements(By.CSS_SELECTOR, "tbody tr")
               if r.find_element(By.TAG_NAME, "th").text == "us_ofac_sdn")
    assert "listed" in sdn.text and "FTO" in sdn.text and "11462" in sdn.text
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".passage mark")]
    assert "Kataib Hizbullah" in marks and "Kataib Hezbollah" in marks
    # A signed-in analyst without the admin scope is not offered link decisions.
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/links']")
    _shot(browser.find_element(By.TAG_NAME, "main"), "console-entity.png", tmp_path)

    _go(browser, browser.find_element(By.LINK_TEXT, "Screen"))
    browser.find_element(By.ID, "name").send_keys("Qassem Suleimani")
    Select(browser.find_element(By.ID, "kind")).select_by_value("person")
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form.row button[type=submit]"))
    first = browser.find_element(By.CSS_SELECTOR, ".candidate")
    assert "10481" in first.find_element(By.TAG_NAME, "h3").text
    assert first.find_element(By.CSS_SELECTOR, ".decision").text == "match"
    aligned = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
               for r in first.find_elements(By.CSS_SELECTOR, "table.aligned tbody tr")]
    assert ["qassem", "qasem"] == aligned[0][:2] and ["suleimani", "soleimani"] == aligned[1][:2]
    _shot(first, "console-screening.png", tmp_path)


def test_a_false_positive_shows_on_the_next_screening(
        console: str, browser: Any, analyst_key: str) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, console, analyst_key, "/ui/screen?name=Qasem+Soleimani&kind=person")
    candidate = browser.find_element(By.XPATH, "//li[contains(@class,'candidate')]"
                                               "[.//h3[contains(., '10481')]]")
    assert not candidate.find_elements(By.CSS_SELECTOR, ".reviewed")
    candidate.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("a namesake")
    _go(browser, candidate.find_element(By.CSS_SELECTOR, "button[value=false_positive]"))

    # Back on the screening, run again: the decision is on the hit.
    assert "/ui/screen?name=Qasem" in browser.current_url
    again = browser.find_element(By.XPATH, "//li[contains(@class,'candidate')]"
                                           "[.//h3[contains(., '10481')]]")
    reviewed = again.find_element(By.CSS_SELECTOR, ".reviewed").text
    assert "false positive" in reviewed and "a namesake" in reviewed
    _go(browser, browser.find_element(By.LINK_TEXT, "Reviews"))
    assert "Qasem Soleimani" in browser.find_element(By.TAG_NAME, "table").text


def test_an_uploaded_csv_runs_to_100_percent(
        console: str, browser: Any, analyst_key: str, tmp_path: Path) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with (OFAC_EXCERPTS / "sdn-2024-05" / "sdn.csv").open(encoding="latin-1") as handle:
        names = [row[1] for row in csv.reader(handle) if len(row) > 1]
    upload = tmp_path / "names.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "name"])
    writer.writerows([str(i), name] for i, name in enumerate(names, start=1))
    upload.write_text(buffer.getvalue(), encoding="utf-8")

    _sign_in(browser, console, analyst_key, "/ui/jobs")
    browser.find_element(By.ID, "file").send_keys(str(upload))
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
    assert "/ui/jobs/" in browser.current_url
    # The page reloads itself when the job ends: an element may go stale under the wait.
    reloading = (StaleElementReferenceException,)
    WebDriverWait(browser, 120, ignored_exceptions=reloading).until(lambda d: d.find_element(
        By.CSS_SELECTOR, "[role=progressbar]").get_attribute("aria-valuenow") == "100")
    WebDriverWait(browser, 30, ignored_exceptions=reloading).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".downloads a"))
    assert browser.find_element(By.ID, "job-status").text == "done"
    assert browser.find_element(By.ID, "job-done").text == str(len(names))
    hits = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=hits-h]").text
    assert "BANCO NACIONAL DE CUBA" in hits
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR,
                                                                     ".downloads a")]
    assert any(link.endswith("results.csv") for link in links)
    assert any(link.endswith("results.json") for link in links)
    _go(browser, browser.find_element(By.LINK_TEXT, "Batch"))
    assert str(len(names)) in browser.find_element(By.TAG_NAME, "table").text


def test_a_post_without_its_csrf_token_is_refused(
        console: str, browser: Any, analyst_key: str, session: Session) -> None:
    _sign_in(browser, console, analyst_key, "/ui/screen")
    answer = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const body = new URLSearchParams({name: "Qasem Soleimani", list: "us_ofac_sdn",
                                          list_key: "10481", decision: "false_positive"});
        fetch("/ui/reviews", {method: "POST", body: body, credentials: "same-origin"})
          .then(r => r.text().then(t => done([r.status, t])));
    """)
    assert answer[0] == 400
    assert "security token" in answer[1] and "<html" in answer[1]
    assert session.exec(select(Review)).all() == []


def test_pages_fit_a_narrow_screen(console: str, browser: Any, analyst_key: str,
                                   tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    _sign_in(browser, console, analyst_key, "/ui/search?q=kataib")
    for page in ("/ui/search?q=kataib", "/ui/entities/kataib-hezbollah",
                 "/ui/screen?name=Qassem+Suleimani&kind=person", "/ui/jobs", "/ui/lists"):
        browser.get(console + page)
        # Wide tables scroll inside themselves; the page itself never scrolls sideways.
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (page, overflow)
    assert browser.execute_script("return window.innerWidth") < 500
    _shot(browser.find_element(By.TAG_NAME, "body"), "console-narrow.png", tmp_path)


def test_lists_documents_monitoring_and_details_are_driven_by_clicks(
        console: str, browser: Any, analyst_key: str, session: Session) -> None:
    """The pages the other tests only pass through: a list's versions, their diff and an
    entry; a document, its mentions and its annotated text; a watchlist, its alert reviewed
    from the inbox, and the review withdrawn; a screening with identifying details."""
    from selenium.webdriver.common.by import By

    from service.monitoring import WatchItem, create_watchlist
    from service.screening.catalog import build_index

    # A second version of the SDN (the 2021-07 excerpt), so that the list has a diff.
    import_excerpt(session, "sdn-2021-07")
    create_watchlist("onboarding", [WatchItem("c-1", "Qasem Soleimani", "person")],
                     session=session, actor="analyst", loaded=build_index(session),
                     store_names=True, max_names=10)
    session.commit()

    browser.set_window_size(1200, 1000)
    _sign_in(browser, console, analyst_key, "/ui/lists")
    _go(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Specially Designated Nationals"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "us_ofac_sdn"
    _go(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "changes since"))
    assert "→" in browser.find_element(By.TAG_NAME, "h1").text
    changed = browser.find_element(By.CSS_SELECTOR, "main a[href*='/entries/']")
    key = changed.get_attribute("href").rsplit("/", 1)[1]
    _go(browser, changed)
    assert browser.current_url.endswith(f"/entries/{key}")
    assert browser.find_element(By.TAG_NAME, "h1").text

    _go(browser, browser.find_element(By.LINK_TEXT, "Documents"))
    _go(browser, browser.find_element(By.CSS_SELECTOR, "main tbody a"))
    mentions = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert mentions and "Mentions" in browser.find_element(By.TAG_NAME, "main").text
    _go(browser, browser.find_element(By.LINK_TEXT, "annotated text"))
    assert browser.find_elements(By.CSS_SELECTOR, "a.mention")

    browser.get(console + "/ui/watchlists")
    _go(browser, browser.find_element(By.LINK_TEXT, "onboarding"))
    assert "10481" in browser.find_element(By.TAG_NAME, "main").text
    _go(browser, browser.find_element(By.LINK_TEXT, "alerts"))
    alert = browser.find_element(By.XPATH, "//main//*[contains(., '10481')]/ancestor::li[1]")
    _go(browser, alert.find_element(By.CSS_SELECTOR, "button[value=false_positive]"))
    assert "false positive" in browser.find_element(By.TAG_NAME, "main").text

    _go(browser, browser.find_element(By.LINK_TEXT, "Reviews"))
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form[action*='/withdraw'] button"))
    assert "Qasem Soleimani" not in browser.find_element(By.TAG_NAME, "main").text

    _go(browser, browser.find_element(By.LINK_TEXT, "Screen"))
    browser.find_element(By.ID, "name").send_keys("Qasem Soleimani")
    browser.find_element(By.ID, "birth_date").send_keys("1957-03-11")
    browser.find_element(By.ID, "nationality").send_keys("Iran")
    _go(browser, browser.find_element(By.CSS_SELECTOR, "form.row button[type=submit]"))
    first = browser.find_element(By.CSS_SELECTOR, ".candidate")
    assert "10481" in first.find_element(By.TAG_NAME, "h3").text
    details = first.find_element(By.XPATH, ".//table[caption[contains(., 'Identifying')]]")
    assert "birth date" in details.text and "agree" in details.text
