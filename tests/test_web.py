"""The web desk in process: real app, real SQLite answer log and catalog, Starlette's client.

What a browser does is tested in tests/test_web_browser.py; here the rules: nothing without
logging in, CSRF on every form, escaping, filters and what each page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bot.answer_log import AnswerLog, Exchange
from cli.main import cli
from index.errors import ArticleNotFoundError
from index.models import Answer, Article, Chunk, ClaimCheck
from index.settings import Settings, load_settings
from index.wiring import Wiring
from tests.bot_helpers import ARTICLES, citation
from tests.test_answer_log import seeded_log
from web import answers
from web.app import build_app
from web.auth import FAILURE_WINDOW_S, MAX_FAILURES, Gate, secret_key
from web.charts import bar_chart, line_chart
from web.render import Span, in_context, locate

PASSWORD = "correct horse battery staple"
Desk = tuple[Settings, AnswerLog, Wiring]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def stored_articles(wiring: Wiring) -> None:
    """The fake articles in the catalog, each text opening with the passage its citation quotes."""
    for fake in ARTICLES:
        text = f"{fake.quote}\n\nThe rest of the story follows here."
        article = Article(
            id=fake.article_id,
            title=fake.title,
            text=text,
            url=fake.url,
            published=fake.published,
            source=fake.source,
        )
        chunk = Chunk(id=f"{fake.article_id}:0", article_id=fake.article_id, index=0, start=0,
                      end=len(text), text=text)  # fmt: skip
        wiring.catalog.commit_article(article, [chunk])


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    settings = load_settings(_env_file=None, newsdesk_data_dir=tmp_path / "data")
    wiring = Wiring(settings)
    stored_articles(wiring)
    log = seeded_log(settings.log_db_path)
    yield settings, log, wiring
    log.close()
    wiring.close()


def client_for(desk: Desk, password: str = PASSWORD) -> TestClient:
    settings, log, wiring = desk
    app = build_app(wiring=wiring, log=log, password=password, secret_key=secret_key(settings))
    return TestClient(app)


def token_of(client: TestClient, path: str = "/login") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def log_in(client: TestClient, password: str = PASSWORD) -> int:
    form = {"csrf_token": token_of(client), "password": password, "next": "/answers"}
    return client.post("/login", data=form, follow_redirects=False).status_code


@pytest.fixture
def admin(desk: Desk) -> TestClient:
    client = client_for(desk)
    assert log_in(client) == 303
    return client


def questions_on(client: TestClient, path: str) -> list[str]:
    html = client.get(path).text
    return re.findall(r'<td class="question"><a href="/answers/\d+">([^<]*)</a>', html)


PRIVATE = ["/answers", "/answers/3", "/stats", "/gaps", "/articles", "/articles/a-bikes"]


@pytest.mark.parametrize("path", PRIVATE)
def test_nothing_is_readable_without_logging_in(desk: Desk, path: str) -> None:
    response = client_for(desk).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2F")
    assert "bike" not in response.text


def test_a_logged_out_post_is_refused_and_changes_nothing(desk: Desk) -> None:
    client = client_for(desk)
    token = token_of(client)  # a session of its own, but not logged in
    response = client.post("/articles/a-bikes/delete", data={"csrf_token": token})
    assert response.status_code == 403
    assert desk[2].catalog.get_article("a-bikes").title == ARTICLES[0].title


def test_login_needs_the_password_and_the_forms_token(desk: Desk) -> None:
    client = client_for(desk)
    assert log_in(client, "wrong") == 401
    assert client.get("/answers", follow_redirects=False).status_code == 303
    no_token = client.post("/login", data={"password": PASSWORD}, follow_redirects=False)
    assert no_token.status_code == 403
    assert log_in(client) == 303
    assert "bike lanes again" in client.get("/answers").text
    cookie = client.cookies.jar
    assert any(c.name == "newsdesk_desk" for c in cookie)


def test_session_cookie_is_httponly_samesite_and_pages_are_locked_down(desk: Desk) -> None:
    response = client_for(desk).get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_failed_logins_are_limited_per_client(desk: Desk) -> None:
    client = client_for(desk)
    for _ in range(MAX_FAILURES):
        assert log_in(client, "guess") == 401
    assert log_in(client) == 429  # even the right password waits
    now = [0.0]
    gate = Gate(password="pw", key="k", clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        gate._failures["x"].append(now[0])
    assert gate.wait_s("x") == FAILURE_WINDOW_S
    now[0] = FAILURE_WINDOW_S
    assert gate.wait_s("x") == 0.0
    assert "x" not in gate._failures  # a client is forgotten once its failures expire


def test_changing_the_password_logs_sessions_out(desk: Desk, admin: TestClient) -> None:
    other = client_for(desk, password="a new password")
    other.cookies = admin.cookies
    assert other.get("/answers", follow_redirects=False).status_code == 303
    assert admin.get("/answers", follow_redirects=False).status_code == 200


def test_delete_needs_this_sessions_token(desk: Desk, admin: TestClient) -> None:
    catalog = desk[2].catalog
    assert admin.post("/articles/a-wind/delete", data={}).status_code == 403
    forged = admin.post("/articles/a-wind/delete", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert catalog.get_article("a-wind").title == ARTICLES[1].title
    token = token_of(admin, "/articles/a-wind/delete")
    done = admin.post("/articles/a-wind/delete", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/articles?deleted=a-wind"
    with pytest.raises(ArticleNotFoundError):
        catalog.get_article("a-wind")
    assert ARTICLES[1].title not in admin.get("/articles").text
    assert admin.get("/articles/a-wind").status_code == 404


def test_logging_out_needs_the_token_and_ends_the_session(admin: TestClient) -> None:
    assert admin.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    token = token_of(admin, "/answers")
    assert admin.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
    assert admin.get("/answers", follow_redirects=False).status_code == 303


def test_answers_search_and_filters(admin: TestClient) -> None:
    assert questions_on(admin, "/answers") == [
        "bike lanes again",
        "chess results?",
        "wind farm?",
        "Chess results?",
        "bike lanes?",
    ]
    assert questions_on(admin, "/answers?q=bike") == ["bike lanes again", "bike lanes?"]
    assert questions_on(admin, "/answers?q=homes") == ["wind farm?"]  # answers are searched
    assert questions_on(admin, "/answers?declined=1") == ["chess results?", "Chess results?"]
    assert questions_on(admin, "/answers?feedback=down") == ["wind farm?"]
    assert questions_on(admin, "/answers?feedback=up") == ["bike lanes?"]
    assert questions_on(admin, "/answers?since=2024-05-02&until=2024-05-02") == [
        "wind farm?",
        "Chess results?",
    ]
    assert questions_on(admin, "/answers?chat=-5") == ["chess results?", "wind farm?"]
    assert questions_on(admin, "/answers?medium=terminal") == []
    page = admin.get("/answers?since=someday&feedback=sideways").text
    assert "Ignored since: cannot read" in page and "Ignored feedback: expected one of" in page


def test_answers_are_paged_newest_first(admin: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "PAGE_SIZE", 2)
    first = admin.get("/answers").text
    older = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert older and "newer" not in first
    second = older.group(1).replace("&amp;", "&")
    assert questions_on(admin, second) == ["wind farm?", "Chess results?"]
    newer = re.search(r'<a href="([^"]+)" rel="prev">', admin.get(second).text)
    assert newer and questions_on(admin, newer.group(1).replace("&amp;", "&")) == [
        "bike lanes again",
        "chess results?",
    ]


def test_one_answer_links_markers_to_passages_in_their_article(admin: TestClient) -> None:
    html = admin.get("/answers/3").text
    assert 'It powers 200,000 homes <a class="marker" href="#cite-1">[1]</a>' in html
    cite = html[html.index('id="cite-1"') : html.index('id="cite-2"')]
    assert f'<mark id="quoted">{ARTICLES[1].quote}</mark>' in cite
    assert "The rest of the story follows here." in cite  # the passage in its article
    link = f"/articles/a-wind?start=0&amp;end={len(ARTICLES[1].quote)}#quoted"
    assert link in cite
    article = admin.get(link.replace("&amp;", "&").split("#")[0]).text
    assert f'<mark id="quoted">{ARTICLES[1].quote}</mark>' in article
    assert '<span class="down">▼ down</span> by bob at' in html
    assert '<span class="down">▼ down</span> by cy at' in html
    assert "retrieve 20 ms · compose 5 ms · total 300 ms" in html
    assert admin.get("/answers/99").status_code == 404


def test_a_deleted_article_leaves_the_logged_quote(desk: Desk, admin: TestClient) -> None:
    desk[2].catalog.delete_article("a-bikes")
    html = admin.get("/answers/1").text
    assert f"<mark>{ARTICLES[0].quote}</mark>" in html
    assert "no longer stored as it was" in html


def test_hostile_text_is_neutralised_and_escaped(desk: Desk, admin: TestClient) -> None:
    log: AnswerLog = desk[1]
    question = "<script>alert(1)</script>\x1b[31m red \u202etxt.exe"
    tricky = Answer(question=question, standalone_question=question,
                    text='Editors <b>say</b> "so" [1] [7].', citations=[citation(ARTICLES[2], 1)],
                    note="<i>note</i>")  # fmt: skip
    exchange_id = log.record(Exchange(9, "private", 9, "<img src=x>", question, answer=tricky))
    for path in (f"/answers/{exchange_id}", "/answers"):
        html = admin.get(path).text
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "\x1b" not in html and "\u202e" not in html
        assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    html = admin.get(f"/answers/{exchange_id}").text
    assert (
        '&lt;b&gt;say&lt;/b&gt; &#34;so&#34; <a class="marker" href="#cite-1">[1]</a> [7].' in html
    )
    assert "&lt;i&gt;note&lt;/i&gt;" in html
    assert "Q&amp;A: Is &lt;AI&gt; &gt; &#34;human&#34; editors?" in html
    assert 'href="https://example.com/q?a=1&amp;b=&lt;2&gt;&amp;c=&#34;x&#34;"' in html


def test_the_checks_of_a_generated_answer_are_shown(desk: Desk, admin: TestClient) -> None:
    log: AnswerLog = desk[1]
    checks = [
        ClaimCheck(sentence="Bike lanes open in May.", given=[2], action="repointed", numbers=[1],
                   support=0.91, reason="its own source does not say it"),
        ClaimCheck(sentence="The mayor loves <b>cycling</b>.", given=[], action="dropped",
                   support=0.12, reason="no source supports it"),
    ]  # fmt: skip
    answer = Answer(question="bikes?", standalone_question="bikes?", text="Lanes open in May [1].",
                    citations=[citation(ARTICLES[0], 1)], mode="openai", claims=checks)  # fmt: skip
    exchange_id = log.record(Exchange(5, "private", 5, "dee", "bikes?", answer=answer))
    html = admin.get(f"/answers/{exchange_id}").text
    assert "What checking the generated sentences did" in html
    assert "<td>[2]</td><td>[1]</td>" in html and "<td>re-pointed</td>" in html
    assert '<tr class="dropped">' in html and "The mayor loves &lt;b&gt;cycling&lt;/b&gt;." in html
    # an extractive answer has nothing of the kind
    assert "What checking" not in admin.get("/answers/1").text


def test_stats_page_counts_per_day_with_charts(admin: TestClient) -> None:
    html = admin.get("/stats").text
    assert html.count("<svg") == 3
    assert "<b>5</b> questions" in html and "<b>50%</b> declined" in html
    assert "<b>33%</b> of votes up (1 up, 2 down)" in html
    rows = re.findall(
        r'<tr><td><a href="[^"]+">(\d{4}-\d\d-\d\d)</a></td><td class="num">(\d+)', html
    )
    assert rows == [("2024-05-03", "2"), ("2024-05-02", "2"), ("2024-05-01", "1")]


def test_gaps_page_groups_what_was_declined(admin: TestClient) -> None:
    html = admin.get("/gaps").text
    row = re.search(r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*'
                    r'<td class="question"><a href="/answers/(\d+)">([^<]*)</a>', html)  # fmt: skip
    assert row and row.groups() == ("2", "2", "4", "chess?")  # as it was read
    assert "wind farm?" not in html
    assert "wind farm?" in admin.get("/gaps?down=1").text


def test_articles_search_filter_and_one_article(admin: TestClient) -> None:
    html = admin.get("/articles?q=wind").text
    assert ARTICLES[1].title in html and ARTICLES[0].title not in html
    assert "1 article<" in html
    by_outlet = admin.get("/articles", params={"source": "Metro Daily"}).text
    assert ARTICLES[0].title in by_outlet and ARTICLES[1].title not in by_outlet
    dated = admin.get("/articles?since=2024-06-01&until=2024-06-30").text
    assert ARTICLES[1].title in dated and ARTICLES[2].title not in dated
    one = admin.get("/articles/a-bikes").text
    assert (
        "characters 0–" in one and "Metro Daily" in one and 'href="/articles/a-bikes/delete"' in one
    )


def test_an_article_whose_id_has_slashes_and_spaces(desk: Desk, admin: TestClient) -> None:
    odd = Article(id="cnn/2023/05 a?b#c", title="An odd id", text="Some text.", source="CNN")
    desk[2].catalog.commit_article(odd, [Chunk(id="odd:0", article_id=odd.id, index=0, start=0,
                                               end=10, text="Some text.")])  # fmt: skip
    listed = admin.get("/articles?q=odd").text
    link = re.search(r'<a href="(/articles/[^"]+)">An odd id</a>', listed)
    assert link and link.group(1) == "/articles/cnn/2023/05%20a%3Fb%23c"
    assert "An odd id" in admin.get(link.group(1)).text
    token = token_of(admin, link.group(1) + "/delete")
    assert admin.post(link.group(1) + "/delete", data={"csrf_token": token}).status_code == 200
    with pytest.raises(ArticleNotFoundError):
        desk[2].catalog.get_article(odd.id)


def test_web_refuses_to_start_without_a_password(tmp_path: Path) -> None:
    env = {"NEWSDESK_DATA_DIR": str(tmp_path), "WEB_ADMIN_PASSWORD": ""}
    result = CliRunner().invoke(cli, ["web"], env=env)
    assert result.exit_code == 1
    assert "WEB_ADMIN_PASSWORD is not set" in result.output and "Traceback" not in result.output


def test_the_session_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, newsdesk_data_dir=tmp_path)
    key = secret_key(settings)
    assert len(key) >= 40 and secret_key(settings) == key
    assert settings.web_secret_path.stat().st_mode & 0o777 == 0o600
    given = load_settings(_env_file=None, newsdesk_data_dir=tmp_path, web_secret_key="set")
    assert secret_key(given) == "set"


def test_the_secure_cookie_setting_keeps_the_session_to_https(desk: Desk) -> None:
    settings, log, wiring = desk
    app = build_app(wiring=wiring, log=log, password=PASSWORD, secret_key="k", secure_cookie=True)
    assert "secure" in TestClient(app).get("/login").headers["set-cookie"].lower()


def test_a_quote_is_found_where_it_moved_or_not_at_all() -> None:
    text = "Intro. The quoted sentence. Outro."
    assert locate(text, "The quoted sentence.", 7, 27) == Span(7, 27)
    assert locate("New intro here. " + text, "The quoted sentence.", 7, 27) == Span(23, 43)
    assert locate("Rewritten entirely.", "The quoted sentence.", 7, 27) is None
    marked = in_context("x" * 500 + " <b>quote</b> " + "y" * 500, Span(501, 513), context=10)
    assert marked == '…xxxxxxxxx <mark id="quoted">&lt;b&gt;quote&lt;/b&gt;</mark> yyyyyyyyy…'


def test_charts_break_lines_at_missing_days_and_escape_labels() -> None:
    chart = line_chart(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"],
                       {"p<50>": [10.0, None, 30.0, 40.0]}, title="t & u", unit="ms")  # fmt: skip
    assert chart.count("<circle") == 1 and chart.count("<polyline") == 1  # day 1 alone
    assert "p&lt;50&gt;" in chart and "<title>t &amp; u</title>" in chart
    bars = bar_chart(["2025-01-01", "2025-01-02"], [3, 0], title="q")
    assert bars.count("<rect") == 2 and "2025-01-01: 3</title>" in bars
