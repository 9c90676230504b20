"""The rituals' buttons and modal submissions: check in, record a decision, skip, close now,
Done and Undo on decisions (wherever they are shown), and the App Home section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlmodel import Session

from opsbot.context import Context
from opsbot.rituals import checkins, closing, decisions, modals, occurrences, skipping, store
from opsbot.rituals import decision_blocks as words
from opsbot.rituals.store import Occurrence
from opsbot.slack.home import home_view
from opsbot.slack.listeners import Click, Respond, Submit

JUST_DONE = timedelta(minutes=15)  # how long App Home offers Undo on a decision marked done
LISTS = ("open", "all")  # Done pressed on a `/ritual decisions` reply: the list is redrawn


# ---- buttons that open a modal ------------------------------------------------------------------
def opener(
    ctx: Context, build: Callable[[Context, Session, Occurrence, str], dict[str, Any]]
) -> Click:
    """A button handler that opens a modal for the occurrence named in the button's value."""

    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        occurrence_id = int(body["actions"][0]["value"])
        user_id = body["user"]["id"]
        with ctx.tx() as session:
            occ = occurrences.open_occurrence(session, occurrence_id)
            view = build(ctx, session, occ, user_id)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return handle


def checkin_view(ctx: Context, session: Session, occ: Occurrence, user_id: str) -> dict[str, Any]:
    ritual = ctx.config.ritual(occ.ritual_key)
    previous = checkins.previous_answers(session, occurrence_id=occ.id or 0, user_id=user_id)
    return modals.checkin_modal(ritual, occ, previous)


def decision_view(ctx: Context, session: Session, occ: Occurrence, user_id: str) -> dict[str, Any]:
    ritual = ctx.config.ritual(occ.ritual_key)
    today = decisions.today(ctx.config, ritual.key, ctx.clock())
    return modals.decision_modal(ritual, occ, user_id=user_id, today=today)


def skip_view(ctx: Context, session: Session, occ: Occurrence, user_id: str) -> dict[str, Any]:
    return modals.skip_modal(ctx.config.ritual(occ.ritual_key), occ)


# ---- Close now, Done, Undo --------------------------------------------------------------------
def close_now(ctx: Context) -> Click:
    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with ctx.tx() as session:
            closing.close_now(
                session,
                ctx.config,
                occurrence_id=int(body["actions"][0]["value"]),
                user_id=body["user"]["id"],
                now=ctx.clock(),
            )

    return handle


def _clicked(body: dict[str, Any]) -> tuple[int, str, str]:
    raw_id, _, source = str(body["actions"][0]["value"]).partition("|")
    return int(raw_id), source, body["user"]["id"]


def done(ctx: Context) -> Click:
    """Done: the decision is marked done and what was clicked is replaced by a confirmation
    with Undo (above the list again, on a `/ritual decisions` reply)."""

    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        decision_id, source, user_id = _clicked(body)
        with ctx.tx() as session:
            decision = decisions.mark_done(
                session, ctx.config, decision_id=decision_id, by=user_id, now=ctx.clock()
            )
            listing = decision_list(ctx, session, source)[1] if source in LISTS else []
        if source == "home":
            client.views_publish(user_id=user_id, view=home_view(ctx, user_id))
            return
        respond(
            text=f"You marked decision {decision.id} done.",
            blocks=words.confirmation(decision, source) + listing,
            replace_original=True,
        )

    return handle


def undo(ctx: Context) -> Click:
    """Undo: the decision is open again and the confirmation says so."""

    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        decision_id, source, user_id = _clicked(body)
        with ctx.tx() as session:
            decision = decisions.reopen(
                session, ctx.config, decision_id=decision_id, by=user_id, now=ctx.clock()
            )
            listing = decision_list(ctx, session, source)[1] if source in LISTS else []
        if source == "home":
            client.views_publish(user_id=user_id, view=home_view(ctx, user_id))
            return
        respond(
            text=f"Decision {decision.id} is open again.",
            blocks=words.undone(decision, source) + listing,
            replace_original=True,
        )

    return handle


def decision_list(ctx: Context, session: Session, scope: str) -> tuple[str, list[dict[str, Any]]]:
    """`/ritual decisions [open|all]` as it stands now."""
    found = decisions.listed(session, scope=scope)
    zone = ZoneInfo(ctx.config.timezone)
    today = ctx.clock().astimezone(zone).date()
    names = {r.key: r.name for r in ctx.config.rituals}
    return words.decisions_list(found, scope=scope, today=today, names=names, zone=zone)


# ---- modal submissions -----------------------------------------------------------------------
def submission(ctx: Context, act: Callable[[Session, int, str, dict[str, Any]], None]) -> Submit:
    """A view handler; its refusals go back into the modal (see ``on_view``)."""

    def handle(body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        with ctx.tx() as session:
            act(session, int(view["private_metadata"]), body["user"]["id"], values)

    return handle


def submit_checkin(
    ctx: Context, session: Session, occurrence_id: int, user_id: str, values: dict[str, Any]
) -> None:
    occ = occurrences.open_occurrence(session, occurrence_id)
    answers = modals.checkin_answers(ctx.config.ritual(occ.ritual_key), values)
    checkins.check_in(
        session,
        ctx.config,
        occurrence_id=occurrence_id,
        user_id=user_id,
        answers=answers,
        now=ctx.clock(),
    )


def submit_decision(
    ctx: Context, session: Session, occurrence_id: int, user_id: str, values: dict[str, Any]
) -> None:
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = ctx.config.ritual(occ.ritual_key)
    now = ctx.clock()
    text, owner, due, output = modals.decision_values(
        values,
        today=decisions.today(ctx.config, occ.ritual_key, now),
        outputs=list(ritual.decision_outputs),
    )
    decisions.record_decision(
        session,
        ctx.config,
        occurrence_id=occurrence_id,
        text=text,
        owner=owner,
        due=due,
        by=user_id,
        now=now,
        output=output,
    )


def submit_skip(
    ctx: Context, session: Session, occurrence_id: int, user_id: str, values: dict[str, Any]
) -> None:
    skipping.skip_occurrence(
        session,
        ctx.config,
        occurrence_id=occurrence_id,
        user_id=user_id,
        reason=modals.skip_reason(values),
        now=ctx.clock(),
    )


# ---- App Home ---------------------------------------------------------------------------------
def home(ctx: Context) -> Callable[[Session, str], list[dict[str, Any]]]:
    def section(session: Session, user_id: str) -> list[dict[str, Any]]:
        now = ctx.clock()
        today = now.astimezone(ZoneInfo(ctx.config.timezone)).date()
        names = {r.key: r.name for r in ctx.config.rituals}
        return modals.home_blocks(
            checkins.due_for(session, ctx.config, user_id),
            decisions.due_for(session, user_id),
            today=today,
            names=names,
            just_done=store.decisions_done_by(session, user_id=user_id, since=now - JUST_DONE),
        )

    return section
