"""Control-panel buttons, incident modals and the 📌 reaction that adds to the timeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from opsbot.context import Context
from opsbot.errors import NotFound, OpsError
from opsbot.incidents import checks, commands, declaring, modals, service, store, updates
from opsbot.incidents.model import DEFAULT_SEVERITY, Layer, Status
from opsbot.incidents.store import Incident
from opsbot.slack.listeners import Click, Respond, Submit, check_field, on_action, on_view

log = logging.getLogger(__name__)
PUSHPIN = "pushpin"
FIELD_OF = {
    "incident.contain": "text",
    "incident.update": "text",
    "incident.rca": "text",
    "incident.rule_out": "text",
    "incident.fix": "text",
    "incident.verify": "text",
}
Change = Callable[[Session, int, dict[str, Any], str], Any]  # session, incident, values, who


def _incident_of(session: Session, body: dict[str, Any]) -> Incident:
    """The incident a click or submission is about: the button value, else the channel."""
    value = (body.get("actions") or [{}])[0].get("value") or (body.get("view") or {}).get(
        "private_metadata"
    )
    incident = session.get(Incident, int(value)) if value and str(value).isdigit() else None
    if incident is None:
        channel = (body.get("channel") or {}).get("id") or ""
        incident = store.by_channel(session, channel_id=channel)
    if incident is None:
        raise NotFound(
            "I cannot find the incident this belongs to.",
            hint="Type `/incident status` in the incident channel.",
        )
    return incident


def _open_modal(ctx: Context, name: str) -> Click:
    def opened(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with ctx.tx() as session:
            incident = _incident_of(session, body)
            if incident.status == Status.CLOSED:
                raise OpsError("This incident is closed; its record is final.")
            if name == "incident.verify":
                open_fixes = [
                    f
                    for f in store.fixes(session, incident_id=incident.id or 0)
                    if not f.verified_at
                ]
                if not open_fixes:
                    raise OpsError(
                        "There is no unverified fix to verify.",
                        hint="Add one first: `/incident fix <description> test=<id>`",
                    )
                view = modals.verify(incident, open_fixes)
            elif name == "incident.update":
                view = modals.update(incident, updates.draft(session, ctx.config, incident))
            else:
                view = {
                    "incident.contain": modals.contain,
                    "incident.rca": modals.finding,
                    "incident.rule_out": modals.rule_out,
                    "incident.fix": modals.fix,
                }[name](incident)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return opened


def _finish(ctx: Context, name: str) -> Click:
    def clicked(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        now, who, admins = ctx.clock(), body["user"]["id"], ctx.config.incidents.admins
        with ctx.tx() as session:
            number = _incident_of(session, body).id or 0
            if name == "incident.resolve":
                service.resolve(session, number, actor=who, admins=admins, now=now)
            else:
                service.close(
                    session,
                    number,
                    actor=who,
                    admins=admins,
                    archive=ctx.config.incidents.archive_on_close,
                    now=now,
                )

    return clicked


def _submissions(ctx: Context) -> dict[str, Change]:
    def now() -> datetime:
        return ctx.clock()

    def layer(v: dict[str, Any]) -> Layer:
        return commands.parse_layer(v.get("layer") or "")

    return {
        "incident.contain": lambda s, n, v, who: service.contain(
            s, n, v["text"] or "", actor=who, now=now()
        ),
        "incident.update": lambda s, n, v, who: service.post_update(
            s, ctx.config, n, v["text"] or "", actor=who, now=now()
        ),
        "incident.rca": lambda s, n, v, who: service.record_finding(
            s, n, layer(v), v["text"] or "", actor=who, now=now()
        ),
        "incident.rule_out": lambda s, n, v, who: service.rule_out(
            s, n, layer(v), v["text"] or "", actor=who, now=now()
        ),
        "incident.fix": lambda s, n, v, who: service.add_fix(
            s, n, v["text"] or "", v.get("test") or "", actor=who, now=now()
        ),
        "incident.verify": lambda s, n, v, who: service.verify_fix(
            s, n, int(v.get("fix") or 0), actor=who, now=now(), evidence=v.get("text")
        ),
    }


def _submitted(ctx: Context, name: str, change: Change) -> Submit:
    def submitted(body: dict[str, Any], view: dict[str, Any]) -> None:
        values = modals.values(view)
        if name == "incident.fix":
            check_field("test", checks.check_test_id, values.get("test") or "")
        with ctx.tx() as session:
            change(session, _incident_of(session, body).id or 0, values, body["user"]["id"])

    return submitted


def _declare_submitted(ctx: Context) -> Submit:
    def submitted(body: dict[str, Any], view: dict[str, Any]) -> None:
        v = modals.values(view)
        check_field("title", declaring.check_title, v.get("title") or "")
        check_field("description", declaring.check_description, v.get("description"))
        known = [surface.key for surface in ctx.config.surfaces]
        check_field("surface", checks.check_surface, v.get("surface"), known)
        declaration = service.Declaration(
            title=v.get("title") or "",
            severity=commands.parse_severity(v.get("severity") or DEFAULT_SEVERITY),
            description=v.get("description"),
            customer_impact=v.get("impact") == "yes",
            ai_surface=v.get("surface"),
        )
        with ctx.tx() as session:
            service.declare(
                session, ctx.config, declaration, declarer=body["user"]["id"], now=ctx.clock()
            )

    return submitted


def pinned(ctx: Context, event: dict[str, Any], client: WebClient) -> bool:
    """A 📌 on a message in an incident channel adds it to the timeline, once per message."""
    item = event.get("item") or {}
    if event.get("reaction") != PUSHPIN or item.get("type") != "message":
        return False
    channel, ts = item.get("channel") or "", item.get("ts") or ""
    with ctx.tx() as session:
        incident = store.by_channel(session, channel_id=channel)
        if incident is None or incident.status == Status.CLOSED:
            return False
    message = _fetch_message(client, channel, ts)
    if message is None:
        return False
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        link = None
    author = message.get("user") or message.get("bot_id")
    data = {"author": author, "permalink": link, "ts": ts}
    at = datetime.fromtimestamp(float(ts), UTC)
    with ctx.tx() as session:
        return store.add_pinned_event(
            session,
            incident_id=incident.id or 0,
            at=at,
            actor=event.get("user"),
            text=message.get("text") or "",
            data=data,
            source_ts=ts,
        )


def _fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    try:
        found = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        for message in found.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
        replies = client.conversations_replies(
            channel=channel, ts=ts, latest=ts, inclusive=True, limit=1
        )
        for message in replies.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
    except SlackApiError as exc:
        log.warning(
            "could not read the pinned message %s in %s: %s", ts, channel, exc.response.get("error")
        )
    return None


def register(app: Any, ctx: Context) -> None:
    for action in (
        "incident.contain",
        "incident.update",
        "incident.rca",
        "incident.rule_out",
        "incident.fix",
        "incident.verify",
    ):
        on_action(app, action, _open_modal(ctx, action))
    for action in ("incident.resolve", "incident.close"):
        on_action(app, action, _finish(ctx, action))
    for name, change in _submissions(ctx).items():
        on_view(app, name, _submitted(ctx, name, change), field=FIELD_OF[name])
    on_view(app, "incident.declare", _declare_submitted(ctx), field="title")

    @app.event("reaction_added", matchers=[lambda event: event.get("reaction") == PUSHPIN])
    def _reaction(event: dict[str, Any], client: WebClient) -> None:
        pinned(ctx, event, client)
