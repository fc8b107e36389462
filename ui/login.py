"""The admin login: rate-limited per client with a lockout, logged, bound to the client, and expiring.

A successful login returns a random token kept in the session's server-side state; each admin action
checks the token, the client address and browser it was issued to, and the idle time since last use.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from finder.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class _Grant:
    client: str
    agent: str
    last_used: float


@dataclass
class LoginGuard:
    settings: Settings
    clock: object = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _now(self) -> float:
        return self.clock()  # type: ignore[operator]

    def login(self, attempt: str, client: str, agent: str) -> tuple[str | None, str]:
        """(token, message). Wrong passwords count per client; too many lock that client out for a while."""
        s = self.settings
        if s.admin_password is None:
            return None, "The admin tab is disabled: set FINDER_ADMIN_PASSWORD and restart."
        now = self._now()
        with self._lock:
            until = self._locked_until.get(client, 0.0)
            if now < until:
                return None, f"Too many wrong passwords from this address. Try again in {int(until - now) + 1} s."
            ok = hmac.compare_digest((attempt or "").encode(), s.admin_password.get_secret_value().encode())
            if ok:
                self._failures.pop(client, None)
                token = secrets.token_urlsafe(24)
                self._grants[token] = _Grant(client, agent, now)
                log.info("admin login from %s", client)
                return token, ""
            recent = [t for t in self._failures.get(client, []) if now - t < s.admin_lockout_seconds] + [now]
            self._failures[client] = recent
            if len(recent) >= s.admin_max_attempts:
                self._locked_until[client] = now + s.admin_lockout_seconds
                self._failures.pop(client, None)
                log.warning("admin login locked for %s after %d wrong passwords", client, len(recent))
                return None, f"Too many wrong passwords from this address. Try again in {s.admin_lockout_seconds} s."
            log.info("wrong admin password from %s (%d of %d)", client, len(recent), s.admin_max_attempts)
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
            self._grants.pop(token or "", None)
