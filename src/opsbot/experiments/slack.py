"""Wiring: `/ops experiment`, the registration and decision forms, the card's button, the
API routes, the daily judgment on the scheduler's leader and the judgment after each ingest,
and what experiments hand the weekly review."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from opsbot.context import Context
from opsbot.errors import FieldErrors, NotFound, OpsError
from opsbot.experiments import (
    api,
    blocks,
    commands,
    deciding,
    evaluating,
    facts,
    modals,
    registering,
    store,
)
from opsbot.experiments.checks import (
    DesignProblem,
)
from opsbot.slack.commands import CommandRequest, Reply
from opsbot.slack.listeners import Respond, field_error, on_action, on_view

log = logging.getLogger(__name__)
DAILY_JOB = "experiments-daily"
DAILY_AT = {"hour": 6, "minute": 0}  # UTC: the daily look


def experiment_command(ctx: Context, req: CommandRequest) -> Reply | None:
    """`/ops experiment …`"""
    request = commands.parse(req.rest)
    if isinstance(request, commands.Help):
        return Reply(blocks.HELP)
    if isinstance(request, commands.New):
        req.client.views_open(trigger_id=req.trigger_id, view=modals.new_modal(ctx.config))
        return None
    if isinstance(request, commands.Listing):
        with ctx.tx() as session:
            return Reply(blocks.listing(store.listed(session)))
    if isinstance(request, commands.Show):
        with ctx.tx() as session:
            experiment = _known(session, request.key)
            text, card = blocks.show(
                experiment, store.events(session, experiment_id=experiment.id or 0)
            )
        return Reply(text, blocks=card)
    with ctx.tx() as session:
        experiment = deciding.decide(
            session,
            ctx.config,
            key=request.key,
            call=request.call,
            reason=request.reason,
            by=req.user_id,
            now=ctx.clock(),
        )
        due = experiment.decision_due
    return Reply(
        f"Recorded: *{request.call.value}* for {experiment.key}. It is a decision of the weekly "
        f"review, yours, due {due:%a %d %b}; the card and its thread in "
        f"#{experiment.channel} say so. `/ritual decisions` lists it."
    )


def _known(session: Any, key: str) -> store.Experiment:
    experiment = store.by_key(session, key=key)
    if experiment is None:
        raise NotFound(
            f"There is no experiment {key[:80]}.", hint="`/ops experiment list` shows their keys."
        )
    return experiment


def _submit_new(ctx: Context) -> Any:
    def submit(body: dict[str, Any], view: dict[str, Any]) -> None:
        draft = modals.draft_from_form(view.get("state", {}).get("values", {}), now=ctx.clock())
        try:
            with ctx.tx() as session:
                registering.register(
                    session, ctx.config, draft, by=body["user"]["id"], now=ctx.clock()
                )
        except DesignProblem as problem:  # shown on the form's field it names
            block = problem.field.split("[")[0].split(".")[0]
            raise FieldErrors({block: field_error(problem)}) from None

    return submit


def _open_decide(ctx: Context) -> Any:
    def handle(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        key = str(body["actions"][0]["value"])
        user_id = body["user"]["id"]
        with ctx.tx() as session:
            experiment = _known(session, key)
            if experiment.status == store.CONCLUDED:
                raise OpsError(
                    f"Experiment {key} was already decided: {experiment.decision} by "
                    f"<@{experiment.decided_by}>."
                )
        due = deciding.default_due(ctx.config, ctx.clock())
        view = modals.decide_modal(experiment, user_id=user_id, due=due)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return handle


def _submit_decide(ctx: Context) -> Any:
    def submit(body: dict[str, Any], view: dict[str, Any]) -> None:
        now = ctx.clock()
        call, reason, owner, due = modals.decision_from_form(
            view.get("state", {}).get("values", {}), today=deciding.today(ctx.config, now)
        )
        with ctx.tx() as session:
            deciding.decide(
                session,
                ctx.config,
                key=view["private_metadata"],
                call=call,
                reason=reason,
                by=body["user"]["id"],
                owner=owner,
                due=due,
                now=now,
            )

    return submit


def judge_all(ctx: Context) -> list[str]:
    """Judge every running experiment now (the daily look, and after each ingest)."""
    return evaluating.evaluate_running(ctx.tx, ctx.config, ctx.clock())


def contribute(ctx: Context) -> None:
    """What experiments hand other features without Slack: the judgment after ingests and
    the weekly review's section."""
    ctx.after_ingest.append(lambda: judge_all(ctx))
    ctx.ritual_context.append(facts.sections)


def register(app: Any, ctx: Context) -> None:
    contribute(ctx)
    ctx.commands["/ops"].add("experiment", experiment_command)
    ctx.commands["/ops"].add("experiments", experiment_command)
    on_action(app, blocks.DECIDE, _open_decide(ctx))
    on_view(app, modals.NEW, _submit_new(ctx), field="hypothesis")
    on_view(app, modals.DECIDE_VIEW, _submit_decide(ctx), field="reason")
    ctx.api_routes.extend(api.routes(ctx))
    if ctx.scheduler is not None:
        ctx.scheduler.on(DAILY_JOB, CronTrigger(timezone="UTC", **DAILY_AT), lambda: judge_all(ctx))
