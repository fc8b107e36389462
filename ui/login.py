"""The admin login: wrong passwords slow down per client and per account, logged, bound to the client, expiring.

Failures count twice: per client (its address, from ui/clients.py, which believes X-Forwarded-For only
from FINDER_TRUSTED_PROXIES) and for the one admin account, whoever sends them. After
FINDER_ADMIN_MAX_ATTEMPTS wrong passwords each further try must wait, the wait doubling with each wrong
one: up to FINDER_ADMIN_LOCKOUT_SECONDS for the client, and up to FINDER_ADMIN_ACCOUNT_DELAY_SECONDS for
everyone. The account's wait stays short, so an attacker can slow the admin's own login by seconds but
never lock it out, while guesses from many addresses are still bounded. Tries made during a wait are
refused unread. A successful login returns a random token kept in the session's server-side state; each
admin action checks the token, the client address and browser it was issued to, and the idle time.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

from finder.settings import Settings

log = logging.getLogger(__name__)
MAX_CLIENTS = 10_000  # remembered clients with recent failures; the oldest are forgotten first


@dataclass
class _Grant:
    client: str
    agent: str
    last_used: float


@dataclass
class _Strikes:
    """Wrong passwords in a row and when the last one came."""

    count: int = 0
    last: float = 0.0

    def wait(self, now: float, free: int, cap: float) -> float:
        """Seconds until the next try may be read: none for the first `free`, then 1, 2, 4, ... up to `cap`."""
        if self.count < free:
            return 0.0
        return max(0.0, self.last + min(cap, 2.0 ** (self.count - free)) - now)


@dataclass
class LoginGuard:
    settings: Settings
    clock: object = time.monotonic
    _clients: dict[str, _Strikes] = field(default_factory=dict)
    _account: _Strikes = field(default_factory=_Strikes)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _now(self) -> float:
        return self.clock()  # type: ignore[operator]

    def _strikes(self, client: str, now: float) -> _Strikes:
        s = self._clients.get(client)
        if s is not None and now - s.last > self.settings.admin_lockout_seconds:
            s = self._clients[client] = _Strikes()  # quiet for a long while: forgiven
        if s is None:
            if len(self._clients) >= MAX_CLIENTS:
                del self._clients[min(self._clients, key=lambda k: self._clients[k].last)]
            s = self._clients[client] = _Strikes()
        if now - self._account.last > self.settings.admin_lockout_seconds:
            self._account = _Strikes()
        return s

    def login(self, attempt: str, client: str, agent: str) -> tuple[str | None, str]:
        """(token, message). A try during a wait is refused without reading the password."""
        s = self.settings
        if s.admin_password is None:
            return None, "The admin tab is disabled: set FINDER_ADMIN_PASSWORD and restart."
        now = self._now()
        with self._lock:
            mine = self._strikes(client, now)
            wait = max(mine.wait(now, s.admin_max_attempts, s.admin_lockout_seconds),
                       self._account.wait(now, s.admin_max_attempts, s.admin_account_delay_seconds))
            if wait > 0:
                return None, f"Too many wrong passwords. Try again in {math.ceil(wait)} s."
            if hmac.compare_digest((attempt or "").encode(), s.admin_password.get_secret_value().encode()):
                self._clients.pop(client, None)
                self._account = _Strikes()
                token = secrets.token_urlsafe(24)
                self._grants[token] = _Grant(client, agent, now)
                log.info("admin login from %s", client)
                return token, ""
            for strikes, who in ((mine, f"client {client}"), (self._account, "the admin account")):
                strikes.count, strikes.last = strikes.count + 1, now
                if strikes.count >= s.admin_max_attempts:
                    cap = s.admin_lockout_seconds if strikes is mine else s.admin_account_delay_seconds
                    log.warning("admin login locked for %s: %d wrong passwords in a row, next try in %.0f s",
                                who, strikes.count, strikes.wait(now, s.admin_max_attempts, cap))
            log.info("wrong admin password from %s (%d in a row)", client, mine.count)
            return None, "Wrong password."

    def check(self, token: str | None, client: str, agent: str) -> bool:
        """True while the token is valid for this client and browser and has been used recently enough."""
        if not token:
            return False
        now = self._now()
        with self._lock:
            grant = self._grants.get(token)
            if grant is None or grant.client != client or grant.agent != agent:
                return False
            if now - grant.last_used > self.settings.admin_idle_minutes * 60:
                del self._grants[token]
                log.info("admin login from %s expired after %g idle minutes", client,
                         self.settings.admin_idle_minutes)
                return False
            grant.last_used = now
            return True

    def logout(self, token: str | None) -> None:
        with self._lock:
            grant = self._grants.pop(token or "", None)
        if grant is not None:
            log.info("admin logout from %s", grant.client)
