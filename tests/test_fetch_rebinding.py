"""The fetcher connects to the address it checked: a second DNS answer cannot redirect it.

DNS is the one thing faked here (a resolver that answers differently the second time, as a
rebinding attacker's server would); the HTTP server and connection are real.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

import ingest.fetch
from ingest.fetch import Fetcher, pinned_request
from tests.test_fetch import LocalSite, local_settings, site  # noqa: F401 - fixture


def test_a_rebinding_resolver_cannot_move_the_connection(
    site: LocalSite,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"] + ["127.0.0.2"] * 10)  # checked first, then "internal"
    port = int(site.base.rsplit(":", 1)[1])

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "news.rebind.test":
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # this test's stand-in for "public": the first answer; the rebound one is not
    monkeypatch.setattr(ingest.fetch, "is_public_address", lambda a: a == "127.0.0.1")
    settings = local_settings(fetch_allow_private=False)
    with Fetcher(settings=settings) as fetcher:
        page = fetcher.get(f"http://news.rebind.test:{port}/council-budget.html")
    assert page.url == f"http://news.rebind.test:{port}/council-budget.html"
    assert b"council" in page.body.lower()
    assert site.requests[-1][0] == "/council-budget.html"


def test_a_pinned_request_keeps_the_host_for_the_header_and_tls() -> None:
    assert pinned_request("https://news.example.org/a?b=1", "93.184.216.34") == (
        "https://93.184.216.34/a?b=1",
        "news.example.org",
        "news.example.org",
    )
    assert pinned_request("http://news.example.org:8080/a", "2606:2800::1") == (
        "http://[2606:2800::1]:8080/a",
        "news.example.org:8080",
        "news.example.org",
    )
