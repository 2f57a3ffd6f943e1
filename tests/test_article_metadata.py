"""Stored metadata that reads like a newspaper's: a title always, an outlet's name, clean URLs;
and the default model's files are refused when they are not the pinned ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import minilm
from index.models import Article
from ingest.load_fields import build_article, clean_url, first_sentence, outlet_name, slug_title
from ingest.load_html import PageFallbacks, article_from_html

TEXT = (
    "Roughly 5,000 active-duty troops are now deployed along the southern border, the "
    "general told lawmakers. The deployment began in January."
)


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "https://www.cnn.com/2025/02/12/politics/troops?utm_source=x&utm_medium=rss#:~:text=5%2C000",
            "https://www.cnn.com/2025/02/12/politics/troops",
        ),
        ("https://a.example/story?id=7&fbclid=abc", "https://a.example/story?id=7"),
        ("https://a.example/story#comments", "https://a.example/story#comments"),
        ("https://a.example/story?b=2&a=1", "https://a.example/story?b=2&a=1"),  # untouched
        ("", ""),
    ],
)
def test_clean_url_drops_highlights_and_tracking(url: str, clean: str) -> None:
    assert clean_url(url) == clean


@pytest.mark.parametrize(
    ("host", "outlet"),
    [
        ("www.cnn.com", "CNN"),
        ("www.usatoday.com", "USA Today"),
        ("theweek.com", "The Week"),
        ("www.frontier-ledger.example", "frontier-ledger.example"),
        ("news.example.org", "news.example.org"),
    ],
)
def test_outlet_names_for_hosts(host: str, outlet: str) -> None:
    assert outlet_name(host) == outlet


def test_titles_from_the_slug_or_the_first_sentence() -> None:
    assert slug_title("https://x.example/2025/02/12/border-troops-reach-5000.html") == (
        "Border troops reach 5000"
    )
    assert slug_title("https://x.example/2025/02/12/") == ""  # only numbers
    assert slug_title("https://x.example/2025/02-12/") == ""
    assert slug_title("https://x.example/story/index.html") == ""
    assert first_sentence(TEXT) == (
        "Roughly 5,000 active-duty troops are now deployed along the southern border, the "
        "general told lawmakers."
    )
    assert first_sentence("word " * 60).endswith("…")
    assert len(first_sentence("word " * 60)) <= 121


def article(**fields: object) -> Article:
    built = build_article(text=TEXT, **fields)  # type: ignore[arg-type]
    assert built is not None
    return built


def test_every_article_gets_a_title_and_an_outlet() -> None:
    given = article(title="Border deployment grows", url="https://www.cnn.com/a/troops-grow")
    assert (given.title, given.source) == ("Border deployment grows", "CNN")
    from_slug = article(url="https://www.usatoday.com/story/news/border-troops-grow/78412345/")
    assert (from_slug.title, from_slug.source) == ("Border troops grow", "USA Today")
    from_slug = article(url="https://theweek.com/politics/border-troops-grow")
    assert (from_slug.title, from_slug.source) == ("Border troops grow", "The Week")
    from_text = article(url="https://www.example.org/2025/02/12/")
    assert from_text.title.startswith("Roughly 5,000 active-duty troops")
    assert from_text.source == "example.org"
    named = article(source="Frontier Ledger", url="https://www.cnn.com/x/y-z")
    assert named.source == "Frontier Ledger"  # a given outlet name is kept
    assert article(source="www.cnn.com").source == "CNN"  # a dump that gives the host


PAGE = """<html><head>{meta}</head><body><article>
<p>Roughly 5,000 active-duty troops are now deployed along the southern border, the general
told lawmakers on Wednesday in a hearing that lasted most of the afternoon.</p>
<p>The deployment began in January and is expected to last until the end of September.</p>
</article></body></html>"""


def test_pages_name_title_and_outlet_from_their_metadata() -> None:
    meta = (
        '<meta property="og:title" content="Border deployment reaches 5,000">'
        '<meta property="og:site_name" content="Frontier Ledger">'
    )
    url = "https://127.0.0.1/2025/02/12/border-deployment#:~:text=troops"
    found = article_from_html(PAGE.format(meta=meta), where=url, url=url)
    assert isinstance(found, Article)
    assert found.title == "Border deployment reaches 5,000"
    assert found.source == "Frontier Ledger"  # og:site_name, not 127.0.0.1
    assert found.url == "https://127.0.0.1/2025/02/12/border-deployment"


def test_a_page_without_metadata_falls_back_to_the_feed_then_the_host() -> None:
    url = "https://www.usatoday.com/story/news/2025/02/12/border-deployment-grows/"
    from_feed = article_from_html(
        PAGE.format(meta=""), where=url, url=url, fallbacks=PageFallbacks(source="USAT Feeds")
    )
    assert isinstance(from_feed, Article) and from_feed.source == "USAT Feeds"
    bare = article_from_html(PAGE.format(meta=""), where=url, url=url)
    assert isinstance(bare, Article)
    assert bare.source == "USA Today"
    assert bare.title  # never empty: the page's own, the slug or the first sentence


def test_a_page_of_widgets_is_skipped_not_failed() -> None:
    html = "<html><body><div class='ad'>Advertisement</div></body></html>"
    found = article_from_html(html, where="https://x.example/ad", url="https://x.example/ad")
    assert not isinstance(found, Article)
    assert found.skipped and "no article text" in found.reason


def test_a_changed_model_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, tokenizer = minilm.minilm_files()
    minilm.check_model_file(model, expected=minilm.MODEL_SHA256)  # the installed one passes
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(model.read_bytes()[:-1] + b"\0")
    monkeypatch.setattr(minilm, "minilm_files", lambda: (tampered, tokenizer))
    with pytest.raises(minilm.ModelFileError) as refused:
        minilm.MiniLMEncoder(runtime="onnxruntime")
    message = str(refused.value)
    assert str(tampered) in message and minilm.MODEL_SHA256 in message
    assert "refusing to use it" in message
