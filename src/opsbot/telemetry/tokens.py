"""Bearer tokens of the ingest API: made once, stored as a sha256, revocable by name."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from opsbot.errors import NotFound, OpsError
from opsbot.telemetry import store
from opsbot.telemetry.store import ApiToken

SCOPES = ("ingest", "read", "experiments")  # experiments: register them from CI
PREFIX = "opsb_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class Caller:
    """Who called the API: the token's id and name, and what it may do."""

    token_id: int
    name: str
    scopes: frozenset[str]

    def may(self, *scopes: str) -> bool:
        """True when the token holds any of ``scopes``."""
        return any(scope in self.scopes for scope in scopes)


def digest(token: str) -> str:
    """The stored form of a token: sha256 is enough for 256 random bits (no dictionary to try)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(session: Session, *, name: str, scopes: list[str], now: datetime) -> str:
    """Make a token; returns it in clear, the only time it is ever seen."""
    if not _NAME.match(name):
        raise OpsError(
            f'"{name}" is not a usable token name.',
            hint="Use letters, digits, '.', '_' or '-' (at most 80), e.g. --name ci-evals.",
        )
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise OpsError(
            f"Unknown scope(s): {', '.join(unknown) or 'none given'}.",
            hint=f"Give --scope one or more times with: {', '.join(SCOPES)}.",
        )
    if store.token_named(session, name) is not None:
        raise OpsError(
            f'A token named "{name}" already exists (revoked tokens keep their name).',
            hint="Choose another --name.",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    ordered = [scope for scope in SCOPES if scope in scopes]
    store.add_token(
        session, name=name, token_hash=digest(token), scopes=" ".join(ordered), created_at=now
    )
    return token


def revoke(session: Session, *, name: str, now: datetime) -> ApiToken:
    """End a token at once; requests carrying it get 401 from now on."""
    row = store.token_named(session, name)
    if row is None:
        raise NotFound(
            f'There is no token named "{name}".', hint="`opsbot token list` shows the names."
        )
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
    return row


def listed(session: Session) -> Sequence[ApiToken]:
    """Every token (never their values), oldest first."""
    return store.tokens(session)


def authenticate(session: Session, presented: str) -> Caller | None:
    """The caller for a presented token, or None when it is unknown or revoked."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    wanted = digest(presented)
    row = store.token_with_hash(session, wanted)
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return Caller(row.id or 0, row.name, frozenset(row.scopes.split()))
