"""The web desk in a real browser: headless Chromium (Debian's) driven by Playwright.

`newsdesk web` runs as its own process over real HTTP, on a copy of the sample store and an
answer log of real answers from it. The browser logs in, searches, opens an answer,
follows a citation into its article, deletes an article; logged-out requests and a
forged form are refused. Chromium is installed with apt-get when missing and running as
root (as CI does); elsewhere these tests are skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog, Exchange
from index.settings import Settings, load_settings
from index.wiring import Wiring
from tests.bot_helpers import free_port

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "desk password for tests"
# no first-run, sync or update traffic: this machine has no way out, and must not need one
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTIONS = [
    ("how many troops are at the border now", False),
    ("who leads the drivers union in the rail strike", False),
    ("how many trains were cancelled by the strike in france", True),
]


def chromium_path() -> Path:
    """Debian's Chromium, installed now if missing and allowed (root, as in CI)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "chromium", "chromium-driver"],
        check=True,
        env=env,
        capture_output=True,
    )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield found
        found.close()


@dataclass
class Desk:
    """A running `newsdesk web` and what it serves."""

    url: str
    settings: Settings
    questions: dict[str, int]  # question → its exchange id


def answered_log(settings: Settings) -> dict[str, int]:
    """Real answers from the store, recorded as the terminal records them."""
    desk = Wiring(settings).newsdesk
    log = AnswerLog(settings.log_db_path)
    ids = {}
    for question, declines in QUESTIONS:
        answer = desk.answer(question)
        assert answer.declined is declines, (question, answer.text)
        ids[question] = int(log.record(Exchange(0, "terminal", None, "editor", question, answer)))
    log.close()
    return ids


def wait_until_serving(url: str, server: subprocess.Popen[str], output: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"newsdesk web exited: {output.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"newsdesk web did not start in 60 s: {output.read_text()}")


@pytest.fixture(scope="module")
def desk(sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data = tmp_path_factory.mktemp("web") / "data"
    # the store only: whatever other tests logged there stays out of this desk's answer log
    shutil.copytree(sample_settings.data_dir, data, ignore=shutil.ignore_patterns("answers.*"))
    settings = load_settings(_env_file=None, newsdesk_data_dir=data, answer_mode="extractive")
    questions = answered_log(settings)
    port = free_port()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data), "WEB_ADMIN_PASSWORD": PASSWORD,
           "PYTHONPATH": str(ROOT), "ANSWER_MODE": "extractive"}  # fmt: skip
    output = data.parent / "web.log"  # a file, not a pipe nobody reads that could fill up
    with output.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", "from cli.main import main; main()", "web", "--port", str(port)],
            cwd=data.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, server, output)
        yield Desk(url=url, settings=settings, questions=questions)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def log_in(page: Page, desk: Desk) -> None:
    page.goto(desk.url + "/answers")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(desk.url + "/answers")


def test_logged_out_requests_are_sent_to_login(page: Page, desk: Desk) -> None:
    for path in ("/answers", "/stats", "/gaps", "/articles", "/answers/1"):
        page.goto(desk.url + path)
        assert page.url.startswith(desk.url + "/login?next=")
        expect(page.get_by_label("Password")).to_be_visible()
        assert "troops" not in page.content()
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")


def test_search_open_an_answer_and_follow_its_citation(page: Page, desk: Desk) -> None:
    log_in(page, desk)
    page.get_by_role("searchbox", name="Search").fill("troops")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("td.question a")
    expect(rows).to_have_text(["how many troops are at the border now"])
    rows.first.click()
    exchange_id = desk.questions["how many troops are at the border now"]
    expect(page).to_have_url(f"{desk.url}/answers/{exchange_id}")
    quotes = stored_quotes(desk.settings, exchange_id)
    page.locator("a.marker").first.click()
    expect(page).to_have_url(f"{desk.url}/answers/{exchange_id}#cite-1")
    expect(page.locator("#cite-1 mark")).to_have_text(quotes[1])
    page.locator("#cite-1").get_by_role("link", name="in the article").click()
    expect(page.locator("mark#quoted")).to_have_text(quotes[1])
    assert page.url.startswith(desk.url + "/articles/")


def stored_quotes(settings: Settings, exchange_id: int) -> dict[int, str]:
    log = AnswerLog(settings.log_db_path)
    with log.connection() as db:
        rows = db.execute(
            "SELECT number, passage FROM citations WHERE exchange_id = ?", (exchange_id,)
        ).fetchall()
    log.close()
    assert rows, "the answer cites nothing"
    return {row[0]: " ".join(row[1].split()) for row in rows}


def test_stats_and_gaps_pages(page: Page, desk: Desk) -> None:
    log_in(page, desk)
    page.get_by_role("link", name="Stats").click()
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("ul.totals li").first).to_contain_text("3 questions")
    page.get_by_role("link", name="Gaps").click()
    expect(page.locator("td.question")).to_have_text(
        ["how many trains were cancelled by the strike in france"]
    )


def vector_articles(settings: Settings) -> set[str]:
    """The article ids that have vectors in the store, read by a process of its own."""
    code = (
        "import json; from index.settings import load_settings; from index.wiring import Wiring;"
        "ids = Wiring(load_settings(_env_file=None)).store.vector_ids();"
        "print(json.dumps(sorted({i.split(':')[0] for i in ids})))"
    )
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_delete_an_article_after_confirming(page: Page, desk: Desk) -> None:
    catalog = Wiring(desk.settings).catalog
    [row] = [r for r in catalog.list_articles(limit=100) if "measles" in r["title"].lower()]
    article_id, title = row["id"], row["title"]
    assert article_id in vector_articles(desk.settings)
    log_in(page, desk)
    page.get_by_role("link", name="Articles").click()
    page.get_by_role("searchbox", name="Title").fill("measles")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Delete this article…").click()
    expect(page.get_by_role("heading", name="Delete this article?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text(f"Deleted article {article_id}.")
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    assert article_id not in [r["id"] for r in catalog.list_articles(limit=100)]
    assert article_id not in vector_articles(desk.settings)
    catalog.close()


def test_a_forged_form_is_refused_and_changes_nothing(page: Page, desk: Desk) -> None:
    catalog = Wiring(desk.settings).catalog
    article_id = catalog.list_articles(limit=1)[0]["id"]
    log_in(page, desk)
    forged = page.context.request.post(
        f"{desk.url}/articles/{article_id}/delete", form={"csrf_token": "forged"}
    )
    assert forged.status == 403
    no_token = page.context.request.post(f"{desk.url}/articles/{article_id}/delete", form={})
    assert no_token.status == 403
    # a page elsewhere that posts to the desk: the session cookie (SameSite=Lax) stays home
    page.goto("about:blank")
    page.set_content(
        f'<form method="post" action="{desk.url}/articles/{article_id}/delete">'
        '<input name="csrf_token" value="guess"><button>win a prize</button></form>'
    )
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="win a prize").click()
    assert sent.value is not None and sent.value.status == 403
    assert "Log in first." in page.content()
    assert catalog.get_article(article_id).id == article_id
    catalog.close()
