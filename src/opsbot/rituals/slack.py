"""Slack wiring for rituals: `/ritual`, the buttons and modals, App Home, and the scheduler."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.date import DateTrigger
from slack_sdk import WebClient
from sqlmodel import Session

from opsbot.context import Context
from opsbot.rituals import (
    blocks,
    checkins,
    commands,
    decisions,
    modals,
    occurrences,
    service,
)
from opsbot.schedules import trigger_for
from opsbot.slack.commands import CommandRequest, CommandRouter, Reply
from opsbot.slack.home import home_view
from opsbot.slack.listeners import Click, Respond, Submit, on_action, on_view
from opsbot.slack.mrkdwn import escape

log = logging.getLogger(__name__)
TICK_SECONDS = 30
HOME_ORDER = 40


# ---- /ritual ---------------------------------------------------------------------------------
def ritual_command(ctx: Context, req: CommandRequest) -> Reply:
    parsed = commands.parse(req.text)
    now = ctx.clock()
    config = ctx.config
    if isinstance(parsed, commands.ShowHelp):
        return Reply(commands.HELP)
    if isinstance(parsed, commands.ListRituals):
        with ctx.tx() as session:
            return Reply(service.render_listing(service.listing(session, config, now)))
    if isinstance(parsed, commands.RunRitual):
        with ctx.tx() as session:
            occ = occurrences.run_now(
                session,
                config,
                key=parsed.key,
                user_id=req.user_id,
                now=now,
                extras=service.extras_of(ctx),
            )
        return Reply(f"Started {escape(config.ritual(occ.ritual_key).name)} in #{occ.channel}.")
    if isinstance(parsed, commands.SkipRitual):
        with ctx.tx() as session:
            occ = occurrences.skip_next(
                session, config, key=parsed.key, user_id=req.user_id, reason=parsed.reason, now=now
            )
        ritual = config.ritual(occ.ritual_key)
        return Reply(
            f"Skipped {escape(ritual.name)} of "
            f"{blocks.when(occ.scheduled_at, blocks.zone_of(ritual))}."
        )
    if isinstance(parsed, commands.SetOwners):
        with ctx.tx() as session:
            ritual = service.set_owners(
                session,
                config,
                key=parsed.key,
                user_ids=list(parsed.user_ids),
                by=req.user_id,
                now=now,
            )
        return Reply(
            f"<@{req.user_id}> set the owners of *{escape(ritual.name)}*: "
            f"{blocks.people(list(parsed.user_ids))}.",
            public=True,
        )
    assert isinstance(parsed, commands.ListDecisions)
    with ctx.tx() as session:
        text, list_blocks = _decision_list(ctx, session, parsed.scope)
    return Reply(text, list_blocks)


def _decision_list(ctx: Context, session: Session, scope: str) -> tuple[str, blocks.Blocks]:
    found = decisions.listed(session, scope=scope)
    today = ctx.clock().astimezone(ZoneInfo(ctx.config.timezone)).date()
    names = {r.key: r.name for r in ctx.config.rituals}
    return blocks.decisions_list(found, scope=scope, today=today, names=names)


# ---- buttons ---------------------------------------------------------------------------------
def _opener(ctx: Context, build: Callable[[Session, Any, str], dict[str, Any]]) -> Click:
    """A button handler that opens a modal for the occurrence named in the button's value."""

    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        occurrence_id = int(body["actions"][0]["value"])
        user_id = body["user"]["id"]
        with ctx.tx() as session:
            occ = occurrences.open_occurrence(session, occurrence_id)
            view = build(session, occ, user_id)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return handle


def _checkin_view(ctx: Context, session: Session, occ: Any, user_id: str) -> dict[str, Any]:
    ritual = ctx.config.ritual(occ.ritual_key)
    previous = checkins.previous_answers(session, occurrence_id=occ.id, user_id=user_id)
    return modals.checkin_modal(ritual, occ, previous)


def _decision_view(ctx: Context, session: Session, occ: Any, user_id: str) -> dict[str, Any]:
    ritual = ctx.config.ritual(occ.ritual_key)
    today = decisions.today(ctx.config, ritual.key, ctx.clock())
    return modals.decision_modal(ritual, occ, user_id=user_id, today=today)


def _skip_view(ctx: Context, session: Session, occ: Any, user_id: str) -> dict[str, Any]:
    return modals.skip_modal(ctx.config.ritual(occ.ritual_key), occ)


def _done(ctx: Context) -> Click:
    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        raw_id, _, source = str(body["actions"][0]["value"]).partition("|")
        user_id = body["user"]["id"]
        with ctx.tx() as session:
            decision = decisions.mark_done(
                session, ctx.config, decision_id=int(raw_id), by=user_id, now=ctx.clock()
            )
            if source in ("open", "all"):
                text, list_blocks = _decision_list(ctx, session, source)
        if source in ("open", "all"):
            respond(text=text, blocks=list_blocks, replace_original=True)
        elif source == "home":
            client.views_publish(user_id=user_id, view=home_view(ctx, user_id))
        else:
            respond(text=blocks.decision_done_text(decision), replace_original=True)

    return handle


# ---- modal submissions -----------------------------------------------------------------------
def _submission(ctx: Context, act: Callable[[Session, int, str, dict[str, Any]], None]) -> Submit:
    """A view handler; its refusals go back into the modal (see ``on_view``)."""

    def handle(body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        with ctx.tx() as session:
            act(session, int(view["private_metadata"]), body["user"]["id"], values)

    return handle


def _submit_checkin(
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


def _submit_decision(
    ctx: Context, session: Session, occurrence_id: int, user_id: str, values: dict[str, Any]
) -> None:
    occ = occurrences.open_occurrence(session, occurrence_id)
    now = ctx.clock()
    text, owner, due = modals.decision_values(
        values, today=decisions.today(ctx.config, occ.ritual_key, now)
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
    )


def _submit_skip(
    ctx: Context, session: Session, occurrence_id: int, user_id: str, values: dict[str, Any]
) -> None:
    occurrences.skip_occurrence(
        session,
        ctx.config,
        occurrence_id=occurrence_id,
        user_id=user_id,
        reason=modals.skip_reason(values),
        now=ctx.clock(),
    )


# ---- App Home ---------------------------------------------------------------------------------
def _home(ctx: Context) -> Callable[[Session, str], list[dict[str, Any]]]:
    def section(session: Session, user_id: str) -> list[dict[str, Any]]:
        now = ctx.clock()
        today = now.astimezone(ZoneInfo(ctx.config.timezone)).date()
        names = {r.key: r.name for r in ctx.config.rituals}
        return modals.home_blocks(
            checkins.due_for(session, ctx.config, user_id),
            decisions.due_for(session, user_id),
            today=today,
            names=names,
        )

    return section


# ---- wiring -----------------------------------------------------------------------------------
def _scheduled(ctx: Context) -> None:
    scheduler = ctx.scheduler
    if scheduler is None:
        return
    scheduler.every("rituals-tick", TICK_SECONDS, functools.partial(service.tick, ctx))
    # At start: catch up on whatever fell due while no process was running.
    scheduler.on("rituals-catch-up", DateTrigger(), functools.partial(service.tick, ctx))
    for ritual in ctx.config.rituals:  # on the dot, rather than at the next tick
        scheduler.on(
            f"ritual:{ritual.key}",
            trigger_for(ritual.schedule),
            functools.partial(service.scan_ritual, ctx, ritual),
        )


def register(app: Any, ctx: Context) -> None:
    ctx.commands["/ritual"] = CommandRouter(
        command="/ritual",
        description="Rituals: triage, reviews, calibration, retro",
        usage_hint="list | run <key> | skip <key> [reason] | owners <key> <@user> | decisions",
        help_text=commands.HELP,
        fallback=ritual_command,
    )
    on_action(app, blocks.CHECK_IN, _opener(ctx, functools.partial(_checkin_view, ctx)))
    on_action(app, blocks.RECORD_DECISION, _opener(ctx, functools.partial(_decision_view, ctx)))
    on_action(app, blocks.SKIP, _opener(ctx, functools.partial(_skip_view, ctx)))
    on_action(app, blocks.DONE, _done(ctx))
    for callback_id, act, first_field in (
        (blocks.CHECK_IN, _submit_checkin, "q0"),
        (blocks.RECORD_DECISION, _submit_decision, "decision"),
        (blocks.SKIP, _submit_skip, "reason"),
    ):
        submit = _submission(ctx, functools.partial(act, ctx))
        on_view(app, callback_id, submit, field=first_field)  # refusals naming no field
    ctx.home_sections.append((HOME_ORDER, _home(ctx)))
    _scheduled(ctx)
