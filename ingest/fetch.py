"""Fetch one web page or feed for ingest, safely.

Every hop of a redirect chain is resolved and checked before it is requested, so a public
URL cannot bounce the fetcher onto the host's own network (SSRF). The request then goes to
the very address that was checked (the host name kept for the Host header and TLS), so a
DNS server answering differently the second time (DNS rebinding) cannot slip in another.
Bodies are streamed and abandoned as soon as they pass the size cap, and every failure
becomes a `FetchError` whose message is a short reason a person can act on.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from index.errors import SourceError
from index.settings import Settings

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)


class FetchError(SourceError):
    """A URL could not be fetched; the message is the short reason."""


@dataclass(frozen=True)
class FetchedPage:
    """A successful response: the final URL after redirects and the raw body."""

    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None = None
    etag: str = ""  # validators for the next conditional request (feeds)
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """The server answered a conditional request with 304: nothing changed."""
        return self.status == 304


class Fetcher:
    """Fetches URLs under the ingest settings (timeout, size cap, user agent, address policy)."""

    def __init__(self, *, settings: Settings, client: httpx.Client | None = None) -> None:
        self._settings = settings
        self._timeout = settings.fetch_timeout_s
        self._own_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(self._timeout))

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchedPage:
        """GET `url`, following up to five checked redirects; raises `FetchError`.

        `headers` are sent on every hop (e.g. If-None-Match for a conditional request).
        """
        try:
            return self._follow(url, headers or {})
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self._timeout:g}s") from None
        except httpx.ConnectError as exc:
            raise FetchError(_connect_reason(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"fetch failed: {exc.__class__.__name__}: {exc}") from None

    def _follow(self, url: str, extra: dict[str, str]) -> FetchedPage:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            checked = check_url_allowed(current, allow_private=self._settings.fetch_allow_private)
            page, location = self._request(current, extra, pinned=_pick(checked))
            if page is not None:
                return page
            current = urljoin(current, location)
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _request(
        self, url: str, extra: dict[str, str], *, pinned: str | None
    ) -> tuple[FetchedPage | None, str]:
        """One hop (to the `pinned` address, if given): a page, or (None, Location)."""
        headers = {"User-Agent": self._settings.fetch_user_agent, "Accept": _ACCEPT, **extra}
        target, extensions = url, {}
        if pinned is not None:
            target, host_header, host = pinned_request(url, pinned)
            headers["Host"] = host_header
            extensions = {"sni_hostname": host}
        deadline = time.monotonic() + self._timeout
        with self._client.stream(
            "GET",
            target,
            headers=headers,
            follow_redirects=False,
            timeout=self._timeout,
            extensions=extensions,
        ) as response:
            if response.status_code in _REDIRECT_CODES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {response.status_code} without a Location header")
                logger.debug("redirect %s -> %s", url, location)
                return None, location
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}")
            body = self._read_capped(response, deadline)
            content_type = response.headers.get("content-type", "")
            page = FetchedPage(
                url=url if pinned is not None else str(response.url),
                status=response.status_code,
                content_type=content_type.split(";")[0].strip().lower(),
                body=body,
                encoding=response.charset_encoding,
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
            return page, ""

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        limit = self._settings.fetch_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"larger than {limit} bytes")
            # httpx's timeout is per read; a server trickling bytes must not hold us forever.
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {self._timeout:g}s")
            chunks.append(chunk)
        return b"".join(chunks)


def check_url_allowed(url: str, *, allow_private: bool) -> list[str]:
    """The addresses `url`'s host resolves to, all checked public (none checked if allowed).

    Raises `FetchError` unless `url` is http(s) and (by policy) every address is public.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {parts.scheme or '(none)'!r}")
    host = parts.hostname
    if not host:
        raise FetchError("URL has no host")
    if allow_private:
        return []
    addresses = resolve_host(host, parts.port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        if not is_public_address(address):
            raise FetchError(
                f"refusing private address {address} (set FETCH_ALLOW_PRIVATE=true to allow "
                "loopback and private-network URLs)"
            )
    return addresses


def _pick(addresses: list[str]) -> str | None:
    """The address to connect to: IPv4 first (more often routable), None when unchecked."""
    ordered = sorted(addresses, key=lambda a: ":" in a)
    return ordered[0] if ordered else None


def pinned_request(url: str, address: str) -> tuple[str, str, str]:
    """(url with `address` as its host, the Host header, the host name for TLS SNI)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    target = parts._replace(netloc=f"{literal}{port}").geturl()
    host_header = f"[{host}]" if ":" in host else host
    return target, host_header + port, host


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal IP resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"DNS lookup failed for {host}: {_gai_message(exc)}") from None
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, reserved, multicast and unspecified addresses."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def _gai_message(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "DNS lookup failed"
    return f"could not connect: {text or exc.__class__.__name__}"
