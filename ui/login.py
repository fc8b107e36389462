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
from typing import Any

from sqlalchemy import delete, select

from finder import database
from finder.database import strikes
from finder.settings import Settings

log = logging.getLogger(__name__)


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


ACCOUNT = "*account*"  # the strikes row of the one admin account (no client address contains '*')


@dataclass
class LoginGuard:
    """The login's strikes live in the shared store (finder/database.py), so every replica counts the same wrong
    passwords and imposes the same waits; a login's grant stays with the process that issued it, as the session
    that holds its token does (replicas are sticky: see the README)."""

    settings: Settings
    clock: object = time.time  # wall-clock seconds: replicas compare each other's timestamps
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # one login at a time in a process

    def _now(self) -> float:
        return self.clock()  # type: ignore[operator]

    def _strikes(self, conn: Any, who: str, now: float) -> _Strikes:
        row = conn.execute(select(strikes.c.count, strikes.c.last).where(strikes.c.who == who)).first()
        if row is None or now - row.last > self.settings.admin_lockout_seconds:  # quiet for a long while: forgiven
            return _Strikes()
        return _Strikes(row.count, row.last)

    def login(self, attempt: str, client: str, agent: str) -> tuple[str | None, str]:
        """(token, message). A try during a wait is refused without reading the password."""
        s = self.settings
        if s.admin_password is None:
            return None, "The admin tab is disabled: set FINDER_ADMIN_PASSWORD and restart."
        now, who = self._now(), client[:200]
        with self._lock, database.begin(s) as conn:
            mine, account = self._strikes(conn, who, now), self._strikes(conn, ACCOUNT, now)
            wait = max(mine.wait(now, s.admin_max_attempts, s.admin_lockout_seconds),
                       account.wait(now, s.admin_max_attempts, s.admin_account_delay_seconds))
            if wait > 0:
                return None, f"Too many wrong passwords. Try again in {math.ceil(wait)} s."
            if hmac.compare_digest((attempt or "").encode(), s.admin_password.get_secret_value().encode()):
                conn.execute(delete(strikes).where(strikes.c.who.in_([who, ACCOUNT])))
                token = secrets.token_urlsafe(24)
                with self._lock:
                    self._grants[token] = _Grant(client, agent, now)
                log.info("admin login from %s", client)
                return token, ""
            forgiven = [k for k, v in ((who, mine), (ACCOUNT, account)) if v.count == 0]
            conn.execute(delete(strikes).where(strikes.c.who.in_(forgiven) |
                                               (strikes.c.last < now - s.admin_lockout_seconds)))
            for key in (who, ACCOUNT):
                database.upsert_add(conn, key, now)
            mine, account = self._strikes(conn, who, now), self._strikes(conn, ACCOUNT, now)
        for strikes_, name, cap in ((mine, f"client {client}", s.admin_lockout_seconds),
                                    (account, "the admin account", s.admin_account_delay_seconds)):
            if strikes_.count >= s.admin_max_attempts:
                log.warning("admin login locked for %s: %d wrong passwords in a row, next try in %.0f s",
                            name, strikes_.count, strikes_.wait(now, s.admin_max_attempts, cap))
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
