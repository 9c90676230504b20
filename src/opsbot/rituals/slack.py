"""Slack wiring for rituals: `/ritual`, the buttons and modals, App Home, and the scheduler."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from apscheduler.triggers.date import DateTrigger
from sqlmodel import Session

from opsbot.context import Context
from opsbot.rituals import (
    blocks,
    buttons,
    commands,
    decisions,
    occurrences,
    owners,
    service,
    skipping,
)
from opsbot.rituals import decision_blocks as words
from opsbot.schedules import trigger_for
from opsbot.slack.commands import CommandRequest, CommandRouter, Reply
from opsbot.slack.listeners import on_action, on_view
from opsbot.slack.mrkdwn import escape

log = logging.getLogger(__name__)
TICK_SECONDS = 30
HOME_ORDER = 40


# ---- /ritual ---------------------------------------------------------------------------------
def ritual_command(ctx: Context, req: CommandRequest) -> Reply:
    parsed = commands.parse(req.text)
    handler = _HANDLERS.get(type(parsed))
    if handler is None:
        return Reply(commands.HELP)
    return handler(ctx, req, parsed)


def _list(ctx: Context, req: CommandRequest, parsed: Any) -> Reply:
    with ctx.tx() as session:
        return Reply(service.render_listing(service.listing(session, ctx.config, ctx.clock())))


def _run(ctx: Context, req: CommandRequest, parsed: commands.RunRitual) -> Reply:
    with ctx.tx() as session:
        occ = occurrences.run_now(
            session,
            ctx.config,
            key=parsed.key,
            user_id=req.user_id,
            now=ctx.clock(),
            extras=service.extras_of(ctx),
        )
    return Reply(f"Started {escape(ctx.config.ritual(occ.ritual_key).name)} in #{occ.channel}.")


def _skip(ctx: Context, req: CommandRequest, parsed: commands.SkipRitual) -> Reply:
    with ctx.tx() as session:
        occ = skipping.skip_next(
            session,
            ctx.config,
            key=parsed.key,
            user_id=req.user_id,
            reason=parsed.reason,
            now=ctx.clock(),
        )
    ritual = ctx.config.ritual(occ.ritual_key)
    return Reply(
        f"Skipped {escape(ritual.name)} of "
        f"{blocks.when(occ.scheduled_at, blocks.zone_of(ritual))}. "
        f"`/ritual unskip {ritual.key}` brings it back."
    )


def _unskip(ctx: Context, req: CommandRequest, parsed: commands.UnskipRitual) -> Reply:
    with ctx.tx() as session:
        occ = skipping.unskip(
            session, ctx.config, key=parsed.key, user_id=req.user_id, now=ctx.clock()
        )
    ritual = ctx.config.ritual(occ.ritual_key)
    when = blocks.when(occ.scheduled_at, blocks.zone_of(ritual))
    return Reply(f"{escape(ritual.name)} of {when} is no longer skipped.")


def _owners(ctx: Context, req: CommandRequest, parsed: commands.SetOwners) -> Reply:
    with ctx.tx() as session:
        ritual = service.set_owners(
            session,
            ctx.config,
            key=parsed.key,
            user_ids=list(parsed.owners),
            by=req.user_id,
            now=ctx.clock(),
        )
        who = owners.describe(session, ctx.config, ritual)
    return Reply(f"<@{req.user_id}> set the owners of *{escape(ritual.name)}*: {who}.", public=True)


def _decisions(ctx: Context, req: CommandRequest, parsed: commands.ListDecisions) -> Reply:
    with ctx.tx() as session:
        text, list_blocks = buttons.decision_list(ctx, session, parsed.scope)
    return Reply(text, list_blocks)


def _done(ctx: Context, req: CommandRequest, parsed: commands.CloseDecision) -> Reply:
    with ctx.tx() as session:
        decision = decisions.mark_done(
            session, ctx.config, decision_id=parsed.number, by=req.user_id, now=ctx.clock()
        )
    return Reply(f"Decision {decision.id} is done.", words.confirmation(decision, "command"))


def _reopen(ctx: Context, req: CommandRequest, parsed: commands.ReopenDecision) -> Reply:
    with ctx.tx() as session:
        decision = decisions.reopen(
            session, ctx.config, decision_id=parsed.number, by=req.user_id, now=ctx.clock()
        )
    return Reply(f"Decision {decision.id} is open again.", words.undone(decision, "command"))


_HANDLERS: dict[type, Callable[..., Reply]] = {
    commands.ListRituals: _list,
    commands.RunRitual: _run,
    commands.SkipRitual: _skip,
    commands.UnskipRitual: _unskip,
    commands.SetOwners: _owners,
    commands.ListDecisions: _decisions,
    commands.CloseDecision: _done,
    commands.ReopenDecision: _reopen,
}


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
    on_action(app, blocks.CHECK_IN, buttons.opener(ctx, buttons.checkin_view))
    on_action(app, blocks.RECORD_DECISION, buttons.opener(ctx, buttons.decision_view))
    on_action(app, blocks.SKIP, buttons.opener(ctx, buttons.skip_view))
    on_action(app, blocks.CLOSE_NOW, buttons.close_now(ctx))
    on_action(app, words.DONE, buttons.done(ctx))
    on_action(app, words.UNDO, buttons.undo(ctx))
    for callback_id, act, first_field in (
        (blocks.CHECK_IN, buttons.submit_checkin, "q0"),
        (blocks.RECORD_DECISION, buttons.submit_decision, "decision"),
        (blocks.SKIP, buttons.submit_skip, "reason"),
    ):
        submit = buttons.submission(ctx, functools.partial(act, ctx))
        on_view(app, callback_id, submit, field=first_field)  # refusals naming no field
    ctx.home_sections.append((HOME_ORDER, buttons.home(ctx)))
    _scheduled(ctx)


__all__ = ["Session", "register"]
