"""The HTTP client of `finder fetch-notices`: bounded in time, size and where it may be sent.

- One deadline for the whole fetch (FINDER_FETCH_DEADLINE): every read waits at most what is left of it, so
  a server that sends a byte a second cannot hold a fetch for ever.
- Redirects are followed by hand and only within the host (and port) that was asked, over https (or over
  http when the configured URL itself is http, as for a local stand-in); never to another host, another
  port (the app's own, say) or another scheme (file:), and at most five in a row.
- Downloads stream to a file under a size cap; 429, 5xx and dropped connections are retried with backoff.
- Every failure is one FetchError line naming the URL and the cause.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from finder.errors import FinderError
from finder.settings import Settings
from ingest.sources.limits import MB

log = logging.getLogger(__name__)
MAX_REDIRECTS = 5


class FetchError(FinderError):
    """Grants.gov could not be reached or answered badly; nothing was changed."""


class _Busy(Exception):
    def __init__(self, status: int, retry_after: str | None) -> None:
        self.status, self.retry_after = status, retry_after


class Http:
    """A small client: a deadline, a size cap, same-host redirects, retries with backoff on 429/5xx and dropped
    connections, and HTTPS_PROXY/HTTP_PROXY from the environment."""

    def __init__(self, settings: Settings, *, deadline: float | None = None) -> None:
        self.settings = settings
        self.requests = 0
        self.deadline = deadline if deadline is not None else time.monotonic() + settings.fetch_deadline
        self.proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or \
            os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy")
        self.client = httpx.Client(trust_env=True, follow_redirects=False,
                                   headers={"User-Agent": "infrastructure-funding-finder"})

    def close(self) -> None:
        self.client.close()

    def left(self, url: str) -> float:
        """Seconds left before the deadline; FetchError once it has passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"the fetch from {url} passed its {self.settings.fetch_deadline:g}s deadline "
                             "(FINDER_FETCH_DEADLINE); nothing was changed")
        return left

    def _timeout(self, url: str) -> httpx.Timeout:
        left = self.left(url)
        return httpx.Timeout(min(self.settings.fetch_read_timeout, left),
                             connect=min(self.settings.fetch_connect_timeout, left))

    def stream_to(self, method: str, url: str, dest: Path, *, body: Any = None, cap_mb: int | None = None) -> None:
        """The response body into `dest`, retried as needed; FetchError names the cause."""
        wait = self.settings.fetch_backoff
        for attempt in range(self.settings.fetch_retries + 1):
            last = attempt == self.settings.fetch_retries
            try:
                self._once(method, url, dest, body, (cap_mb or self.settings.fetch_max_mb) * MB)
                return
            except _Busy as busy:
                if last:
                    raise FetchError(f"HTTP {busy.status} from {url} after {attempt + 1} tries; "
                                     "Grants.gov is busy or down, try again later") from None
                delay = _retry_after(busy.retry_after, wait)
                log.info("HTTP %s from %s; retrying in %.1fs", busy.status, url, delay)
                self._sleep(delay, url)
                wait *= 2
                continue
            except httpx.ProxyError as exc:
                raise FetchError(f"the proxy {self.proxy} refused the request ({str(exc)[:120]})") from None
            except httpx.TimeoutException:
                self.left(url)
                if last:
                    raise FetchError(f"{url} did not answer within {self.settings.fetch_read_timeout:g}s "
                                     f"(FINDER_FETCH_READ_TIMEOUT)") from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if last:
                    via = f" through the proxy {self.proxy}" if self.proxy else ""
                    raise FetchError(f"cannot reach {url}{via}: no network or the host refused "
                                     f"({type(exc).__name__})") from None
            except httpx.HTTPError as exc:  # a bad URL, a body that does not decode: not worth retrying
                raise FetchError(f"{url} answered in a way that cannot be read ({type(exc).__name__}: "
                                 f"{str(exc)[:120]})") from None
            self._sleep(wait, url)
            wait *= 2
        raise FetchError(f"{url} failed after {self.settings.fetch_retries + 1} tries")

    def _sleep(self, seconds: float, url: str) -> None:
        if seconds >= self.left(url):
            raise FetchError(f"the fetch from {url} would pass its {self.settings.fetch_deadline:g}s deadline "
                             "while waiting to retry (FINDER_FETCH_DEADLINE); nothing was changed")
        time.sleep(seconds)

    def _once(self, method: str, url: str, dest: Path, body: Any, cap: int) -> None:
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            self.requests += 1
            with self.client.stream(method, target, json=body, timeout=self._timeout(url)) as resp:
                if resp.is_redirect:
                    target = self._redirect(url, target, resp.headers.get("location", ""))
                    if resp.status_code in (301, 302, 303):
                        method, body = "GET", None
                    continue
                if resp.status_code == 429 or resp.status_code >= 500:
                    raise _Busy(resp.status_code, resp.headers.get("Retry-After"))
                if resp.status_code >= 400:
                    raise FetchError(f"HTTP {resp.status_code} from {target}; check the URL setting")
                size = 0
                with open(dest, "wb") as fh:
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise FetchError(f"download from {url} is over the {cap // MB} MB cap "
                                             "(FINDER_FETCH_MAX_MB, or FINDER_MAX_JSON_MB for an API answer)")
                        fh.write(chunk)
                        self.left(url)
                return
        raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times in a row (a redirect loop?)")

    @staticmethod
    def _redirect(origin: str, current: str, location: str) -> str:
        """The next URL, if a redirect to it may be followed: same host and port as asked, https (or the
        configured URL's own scheme)."""
        nxt = urljoin(current, location.strip())
        a, b = urlsplit(origin), urlsplit(nxt)
        try:
            same = (a.hostname, a.port) == (b.hostname, b.port)
        except ValueError:
            same = False
        if not same or b.scheme not in {"https", a.scheme}:
            shown = nxt[:100].encode("ascii", "backslashreplace").decode()
            raise FetchError(f"{origin} redirected to {shown}; only redirects within {a.hostname} over "
                             f"{'https' if a.scheme == 'https' else a.scheme} are followed")
        return nxt


def _retry_after(value: str | None, default: float) -> float:
    try:
        return min(60.0, max(0.0, float(value))) if value else default
    except ValueError:
        return default
