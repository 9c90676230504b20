"""Bearer tokens on the ingest API: 401 without a valid one, 403 without the scope."""

from __future__ import annotations

from typing import Any

from opsbot.telemetry import tokens

from .helpers import assert_no_leak, get_dashboard, make_token, post, scores

BATCH = {"records": scores("refund-agent", [0.8], days_ago=1)}


def test_missing_token_is_401_without_detail(bot: Any) -> None:
    """A request without Authorization gets 401, a Bearer challenge and no internals."""
    response = post(bot, "confidence", BATCH, None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthorized"
    assert_no_leak(response.text)


def test_wrong_token_is_401(bot: Any) -> None:
    """A token never issued, or a non-Bearer scheme, gets 401 and is not echoed back."""
    make_token(bot, "ingest")
    forged = tokens.PREFIX + "x" * 43
    for response in (
        post(bot, "confidence", BATCH, forged),
        post(bot, "confidence", BATCH, "not-even-a-token"),
    ):
        assert response.status_code == 401
        assert_no_leak(response.text, forged)


def test_revoked_token_is_401(bot: Any) -> None:
    """A token works until it is revoked, then gets 401 like an unknown one."""
    token = make_token(bot, "ingest", name="ci")
    assert post(bot, "confidence", BATCH, token).status_code == 201
    with bot.ctx.tx() as session:
        tokens.revoke(session, name="ci", now=bot.ctx.clock())
    response = post(bot, "confidence", BATCH, token)
    assert response.status_code == 401
    assert_no_leak(response.text, token)


def test_token_without_the_scope_is_403(bot: Any) -> None:
    """A read-only token may read the dashboard but not ingest (403 naming the scope)."""
    token = make_token(bot, "read")
    response = post(bot, "outcomes", BATCH, token)
    assert response.status_code == 403
    assert "ingest" in response.json()["message"]
    assert_no_leak(response.text, token)
    assert get_dashboard(bot, token).status_code == 200


def test_dashboard_needs_read_or_ingest(bot: Any) -> None:
    """GET /api/v1/dashboard answers an ingest token too, and 401 without a token."""
    assert get_dashboard(bot, make_token(bot, "ingest")).status_code == 200
    assert get_dashboard(bot, None).status_code == 401


def test_tokens_are_stored_hashed(bot: Any) -> None:
    """The database keeps the sha256 of a token, never the token itself."""
    from sqlmodel import Session, select

    from opsbot.telemetry.store import ApiToken

    token = make_token(bot, "ingest", name="hashed")
    with Session(bot.ctx.engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.name == "hashed")).one()
    assert row.token_hash == tokens.digest(token)
    assert token not in row.token_hash and len(token) > 40
