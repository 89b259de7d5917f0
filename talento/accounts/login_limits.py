"""Login limits that hold under concurrency: an attempt is counted before the password is checked.

Counting failures after the response (Flask-Limiter's ``deduct_when``) lets every request that
arrives before the first answer through: 60 parallel guesses passed a "5 per minute" limit 13 to
18 times. Here each attempt first *reserves* a place in every bucket it belongs to, in one atomic
step (all buckets or none), and only then is the password verified; a correct password releases
the reservation, so only failures stay counted.

A bucket holds the attempts of its sliding window, each one a unique token: in Redis a sorted set
(score: the server's time) changed by one Lua script, in memory a dict behind one lock, with the
same semantics. `limits` (Flask-Limiter's library) parses the "5 per minute;20 per hour" strings,
but its storages cannot give one attempt back (a moving window holds anonymous timestamps and the
Redis storage has no decrement), and releasing a successful attempt is the point.

Bucket identities are keyed digests: no e-mail, code or client address sits in the storage.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import math
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import ServiceUnavailable

from talento.accounts.models import User
from talento.settings import Settings

log = logging.getLogger(__name__)

#: Failed passwords and failed codes from one client address share this bucket.
ADDRESS = "address"
#: Failed passwords on one identifier from one client address: the short limit.
IDENTIFIER_AT_ADDRESS = "identifier-address"
#: Failed passwords on one identifier from every address: past it, a sign-in link is offered.
IDENTIFIER = "identifier"
#: The second step (TOTP or recovery code) of one account, from one address and from all.
SECOND_STEP_AT_ADDRESS = "two-factor-address"
SECOND_STEP = "two-factor"
#: A signed-in account confirming a sensitive change with its password and a code.
CONFIRMATION = "confirmation"
#: Requests for an e-mailed sign-in link, per address and per identifier (every request counts).
LINK_AT_ADDRESS = "link-address"
LINK_FOR_IDENTIFIER = "link-identifier"
LINK_LIMIT_PER_ADDRESS = "5 per hour"
LINK_LIMIT_PER_IDENTIFIER = "3 per hour"
#: Registrations: every POST from one address (a high ceiling: a casting venue, a school or a
#: mobile carrier puts many people behind one address), then every complete form per e-mail
#: and per phone (the limits that stop one attacker without blocking a crowd).
REGISTRATION_AT_ADDRESS = "registration-address"
REGISTRATION_FOR_EMAIL = "registration-email"
REGISTRATION_FOR_PHONE = "registration-phone"
#: Password reset requests, per address (ceiling) and per e-mail (a victim's inbox).
RESET_AT_ADDRESS = "reset-address"
RESET_FOR_EMAIL = "reset-email"
#: The contact relay (profiles/contact.py): every message from one client network (a wide
#: ceiling), per sender (typed e-mail or account), per talent (an hourly limit and a daily cap,
#: for senders who are not recruiters) and per recruiter account (a generous ceiling instead).
CONTACT_AT_ADDRESS = "contact-address"
CONTACT_FOR_SENDER = "contact-sender"
CONTACT_FOR_TALENT = "contact-talent"
CONTACT_TALENT_DAY = "contact-talent-day"
CONTACT_FOR_RECRUITER = "contact-recruiter"

EXTENSION = "talento.login_limits"


class LimitsUnavailable(RuntimeError):
    """The limits' storage (Redis) does not answer: refuse the attempt (503), never skip it."""


@dataclass(frozen=True)
class Bucket:
    """One kind of count (`name`) for one identity, under one or more limits."""

    name: str
    identity: str
    limits: tuple[RateLimitItem, ...]


@dataclass(frozen=True)
class Refusal:
    """The first full bucket, and how many seconds until it has room again."""

    bucket: str
    retry_after: int


@dataclass
class Reservation:
    """Places taken in every bucket; `release()` gives them back (a successful attempt)."""

    store: Store
    token: str
    keys: tuple[str, ...]
    released: bool = field(default=False)

    def release(self) -> None:
        """Give the places back; if the storage stopped answering meanwhile, the attempt stays
        counted as a failure (the safe side) rather than failing a correct login."""
        if self.released:
            return
        self.released = True
        try:
            self.store.release(self.keys, self.token)
        except LimitsUnavailable as exc:
            log.warning("Tentative réussie non rendue aux limites de connexion (%s)", exc)


class Store(Protocol):
    def reserve(
        self, entries: Sequence[tuple[str, int, int]], token: str
    ) -> tuple[int, float] | None:
        """Take a place for `token` in every (key, limit, window seconds), or in none: then
        return (index of the first full entry, seconds until it has room)."""

    def release(self, keys: Sequence[str], token: str) -> None: ...

    def consume_once(self, key: str, ttl_seconds: int) -> bool:
        """True the first time `key` is consumed within `ttl_seconds`, False afterwards."""


class MemoryStore:
    """One process's limits (the development server, tests, a single worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, float]] = {}  # key → token → expiry (monotonic)
        self._used: dict[str, float] = {}
        self._next_sweep = 0.0

    def reserve(
        self, entries: Sequence[tuple[str, int, int]], token: str
    ) -> tuple[int, float] | None:
        with self._lock:
            now = time.monotonic()
            for index, (key, limit, _window) in enumerate(entries):
                live = self._live(key, now)
                if len(live) >= limit:
                    return index, (min(live.values()) - now) if live else 0.0
            for key, _limit, window in entries:
                self._entries.setdefault(key, {})[token] = now + window
            self._sweep(now)
            return None

    def release(self, keys: Sequence[str], token: str) -> None:
        with self._lock:
            for key in keys:
                self._entries.get(key, {}).pop(token, None)

    def consume_once(self, key: str, ttl_seconds: int) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._used.get(key, 0.0) > now:
                return False
            self._used[key] = now + ttl_seconds
            return True

    def _live(self, key: str, now: float) -> dict[str, float]:
        tokens = self._entries.get(key, {})
        for token in [token for token, expiry in tokens.items() if expiry <= now]:
            del tokens[token]
        return tokens

    def _sweep(self, now: float) -> None:
        """Forget empty buckets and spent link marks once a minute: memory stays bounded."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + 60
        for key in list(self._entries):
            if not self._live(key, now):
                del self._entries[key]
        for key in [key for key, expiry in self._used.items() if expiry <= now]:
            del self._used[key]


#: KEYS: the buckets' keys; ARGV: the token, then a limit and a window (ms) per key. The time is
#: the Redis server's, so workers on several machines agree on the windows.
_RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local token = ARGV[1]
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local wait = window
    if oldest[2] then wait = tonumber(oldest[2]) + window - now end
    return {i, wait}
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, token)
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return {0, 0}
"""


class RedisStore:
    """Limits shared by every worker and machine through one Redis."""

    def __init__(self, uri: str) -> None:
        import redis

        # Short timeouts: a stalled Redis gives a 503 within seconds, never a stuck worker.
        self._client = redis.Redis.from_url(
            uri, socket_timeout=3, socket_connect_timeout=3, health_check_interval=30
        )
        self._script = self._client.register_script(_RESERVE)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)

    def reserve(
        self, entries: Sequence[tuple[str, int, int]], token: str
    ) -> tuple[int, float] | None:
        args: list[str | int] = [token]
        for _key, limit, window in entries:
            args += [limit, window * 1000]
        try:
            index, wait_ms = self._script(keys=[key for key, _l, _w in entries], args=args)
        except self._errors as exc:
            raise LimitsUnavailable(type(exc).__name__) from exc
        if int(index) == 0:
            return None
        return int(index) - 1, int(wait_ms) / 1000

    def release(self, keys: Sequence[str], token: str) -> None:
        try:
            with self._client.pipeline() as pipe:
                for key in keys:
                    pipe.zrem(key, token)
                pipe.execute()
        except self._errors as exc:
            raise LimitsUnavailable(type(exc).__name__) from exc

    def consume_once(self, key: str, ttl_seconds: int) -> bool:
        try:
            return bool(self._client.set(key, b"1", nx=True, ex=ttl_seconds))
        except self._errors as exc:
            raise LimitsUnavailable(type(exc).__name__) from exc


@dataclass(frozen=True)
class LoginLimits:
    """The store with this app's key prefix and the secret its identities are digested with."""

    store: Store
    prefix: str
    secret: bytes

    def digest(self, *parts: str) -> str:
        material = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self.secret, material, hashlib.sha256).hexdigest()[:32]

    def reserve(self, buckets: Sequence[Bucket]) -> Reservation | Refusal:
        """One atomic step: a place in every bucket, or a Refusal naming the first full one."""
        entries: list[tuple[str, int, int]] = []
        names: list[str] = []
        for bucket in buckets:
            for item in bucket.limits:
                window = item.get_expiry()
                key = f"{self.prefix}:login-limits:{bucket.name}:{window}:{bucket.identity}"
                entries.append((key, item.amount, window))
                names.append(bucket.name)
        token = uuid.uuid4().hex
        full = self.store.reserve(entries, token)
        if full is not None:
            index, wait = full
            return Refusal(names[index], max(1, math.ceil(wait)))
        return Reservation(self.store, token, tuple(key for key, _l, _w in entries))

    def consume_once(self, name: str, value: str, ttl_seconds: int) -> bool:
        return self.store.consume_once(
            f"{self.prefix}:once:{name}:{self.digest(name, value)}", ttl_seconds
        )

    # -- the buckets of each kind of attempt ---------------------------------------------------

    def password_buckets(
        self, settings: Settings, identifier: str, user: User | None, address: str | None
    ) -> list[Bucket]:
        """Address first (its refusal is the broadest), then identifier at this address, then
        the identifier's ceiling over every address (the one that offers a sign-in link)."""
        subject = self.subject(identifier, user)
        where = client_network(address)
        return [
            Bucket(ADDRESS, self.digest(ADDRESS, where), limits_of(settings.login_limit_per_ip)),
            Bucket(
                IDENTIFIER_AT_ADDRESS,
                self.digest(IDENTIFIER_AT_ADDRESS, subject, where),
                limits_of(settings.login_limit_per_identifier),
            ),
            Bucket(
                IDENTIFIER,
                self.digest(IDENTIFIER, subject),
                limits_of(settings.login_ceiling_per_identifier),
            ),
        ]

    def second_step_buckets(
        self, settings: Settings, user_id: int, address: str | None
    ) -> list[Bucket]:
        """Codes share the address bucket with passwords; per account they count apart, so a
        new password login neither resets nor spends the count of wrong codes."""
        where = client_network(address)
        subject = f"user:{user_id}"
        return [
            Bucket(ADDRESS, self.digest(ADDRESS, where), limits_of(settings.login_limit_per_ip)),
            Bucket(
                SECOND_STEP_AT_ADDRESS,
                self.digest(SECOND_STEP_AT_ADDRESS, subject, where),
                limits_of(settings.login_limit_per_identifier),
            ),
            Bucket(
                SECOND_STEP,
                self.digest(SECOND_STEP, subject),
                limits_of(settings.login_ceiling_per_identifier),
            ),
        ]

    def confirmation_buckets(self, settings: Settings, user_id: int) -> list[Bucket]:
        """Password and code asked again by a signed-in account (disabling 2FA, new codes)."""
        return [
            Bucket(
                CONFIRMATION,
                self.digest(CONFIRMATION, f"user:{user_id}"),
                limits_of(settings.login_limit_per_identifier),
            )
        ]

    def link_buckets(self, identifier: str, user: User | None, address: str | None) -> list[Bucket]:
        return [
            Bucket(
                LINK_AT_ADDRESS,
                self.digest(LINK_AT_ADDRESS, client_network(address)),
                limits_of(LINK_LIMIT_PER_ADDRESS),
            ),
            Bucket(
                LINK_FOR_IDENTIFIER,
                self.digest(LINK_FOR_IDENTIFIER, self.subject(identifier, user)),
                limits_of(LINK_LIMIT_PER_IDENTIFIER),
            ),
        ]

    def registration_address_buckets(self, settings: Settings, address: str | None) -> list[Bucket]:
        """Every registration POST, successful or not, before the form is even read."""
        return [
            Bucket(
                REGISTRATION_AT_ADDRESS,
                self.digest(REGISTRATION_AT_ADDRESS, client_network(address)),
                limits_of(settings.registration_limit_per_ip),
            )
        ]

    def registration_identity_buckets(
        self, settings: Settings, email: str, phone: str
    ) -> list[Bucket]:
        """A complete form's e-mail (any case) and phone (E.164, as the form stores it): each
        attempt counts, a successful one too (the next ones would only be refused as taken)."""
        return [
            Bucket(
                REGISTRATION_FOR_EMAIL,
                self.digest(REGISTRATION_FOR_EMAIL, email.strip().lower()),
                limits_of(settings.registration_limit_per_email),
            ),
            Bucket(
                REGISTRATION_FOR_PHONE,
                self.digest(REGISTRATION_FOR_PHONE, phone.strip()),
                limits_of(settings.registration_limit_per_phone),
            ),
        ]

    def reset_buckets(self, settings: Settings, email: str, address: str | None) -> list[Bucket]:
        """Counted whether or not the address has an account, so a refusal tells nothing."""
        return [
            Bucket(
                RESET_AT_ADDRESS,
                self.digest(RESET_AT_ADDRESS, client_network(address)),
                limits_of(settings.reset_limit_per_ip),
            ),
            Bucket(
                RESET_FOR_EMAIL,
                self.digest(RESET_FOR_EMAIL, email.strip().lower()),
                limits_of(settings.reset_limit_per_email),
            ),
        ]

    def contact_buckets(
        self,
        settings: Settings,
        *,
        sender: str,
        talent_id: int,
        address: str | None,
        recruiter: bool,
        trapped: bool = False,
    ) -> list[Bucket]:
        """A relayed message's places. `sender` is the sender's identity ("user:<id>" for an
        account, the typed e-mail otherwise). A recruiter account has one generous ceiling
        and skips the rest; anyone else is counted per network, per sender, then per talent
        (hour, day). A trapped submission (honeypot, too fast) counts against the network and
        the sender only: a bot cannot spend a talent's daily cap."""
        sender = sender.strip().lower()
        if recruiter:
            return [
                Bucket(
                    CONTACT_FOR_RECRUITER,
                    self.digest(CONTACT_FOR_RECRUITER, sender),
                    limits_of(settings.contact_ceiling_per_recruiter),
                )
            ]
        buckets = [
            Bucket(
                CONTACT_AT_ADDRESS,
                self.digest(CONTACT_AT_ADDRESS, client_network(address)),
                limits_of(settings.contact_limit_per_ip),
            ),
            Bucket(
                CONTACT_FOR_SENDER,
                self.digest(CONTACT_FOR_SENDER, sender),
                limits_of(settings.contact_limit_per_sender),
            ),
        ]
        if trapped:
            return buckets
        talent = f"user:{talent_id}"
        return [
            *buckets,
            Bucket(
                CONTACT_FOR_TALENT,
                self.digest(CONTACT_FOR_TALENT, talent),
                limits_of(settings.contact_limit_per_talent),
            ),
            Bucket(
                CONTACT_TALENT_DAY,
                self.digest(CONTACT_TALENT_DAY, talent),
                limits_of(settings.contact_cap_per_talent),
            ),
        ]

    @staticmethod
    def subject(identifier: str, user: User | None) -> str:
        """An account is one subject whatever spelling of it was typed (e-mail or code, any
        case); an identifier without an account is its normalised text."""
        if user is not None:
            return f"user:{user.id}"
        return "typed:" + identifier.strip().lower()


def limits_of(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


def client_network(address: str | None) -> str:
    """The client as a limit sees it: an IPv4 address, or the /64 of an IPv6 one (a single
    subscriber gets a whole /64, so counting per IPv6 address would count nothing)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def store_for(uri: str) -> Store:
    """RATELIMIT_STORAGE_URI's store (settings.py accepts only these schemes)."""
    scheme = urlsplit(uri).scheme
    if scheme == "memory":
        return MemoryStore()
    if scheme in ("redis", "rediss"):
        return RedisStore(uri)
    raise ValueError(f"RATELIMIT_STORAGE_URI: unsupported scheme {scheme!r}")


def install(app_extensions: dict, settings: Settings) -> LoginLimits:
    """Build this app's limits (called once by the app factory)."""
    secret = hashlib.sha256(f"talento-login-limits:{settings.secret_key}".encode()).digest()
    store = store_for(settings.ratelimit_storage_uri)
    limits = LoginLimits(store, settings.ratelimit_key_prefix, secret)
    app_extensions[EXTENSION] = limits
    return limits


def current_limits() -> LoginLimits:
    return current_app.extensions[EXTENSION]


@contextlib.contextmanager
def answering() -> Iterator[LoginLimits]:
    """This app's limits; a storage that does not answer is the 503 page, never a skipped
    limit and never a 500."""
    try:
        yield current_limits()
    except LimitsUnavailable as exc:
        log.error("Stockage des limites de connexion injoignable (%s) : réponse 503", exc)
        raise ServiceUnavailable() from exc
