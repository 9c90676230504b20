"""`/incident`: parse, find the channel's incident, call the service, reply to the typist.

Buttons, modals and the 📌 reaction live in `interactive.py`; both are wired by `register`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from opsbot.context import Context
from opsbot.errors import OpsError
from opsbot.incidents import (
    blocks,
    commands,
    declaring,
    digest,
    home,
    interactive,
    modals,
    regressions,
    remediation,
    service,
    store,
    updates,
)
from opsbot.incidents import commands as c
from opsbot.incidents.facts import snapshot
from opsbot.incidents.store import Incident
from opsbot.slack.commands import CommandRequest, CommandRouter, Reply
from opsbot.slack.mrkdwn import escape

NOT_IN_CHANNEL_HINT = (
    "Type it inside the incident's channel (named `inc-<number>-…`); `/incident list` shows them."
)


def incident_here(session: Session, channel_id: str) -> Incident:
    """The incident whose channel this is; refused anywhere else."""
    incident = store.by_channel(session, channel_id=channel_id)
    if incident is None:
        raise OpsError("This is not an incident channel.", hint=NOT_IN_CHANNEL_HINT)
    return incident


def handle(ctx: Context, req: CommandRequest) -> Reply | None:
    """Every `/incident` subcommand (the grammar is in commands.py)."""
    parsed = c.parse(req.text)
    now, who = ctx.clock(), req.user_id
    if isinstance(parsed, c.ShowHelp):
        return Reply(commands.HELP)
    if isinstance(parsed, c.DeclareModal):
        surfaces = [(s.name, s.key) for s in ctx.config.surfaces]
        req.client.views_open(trigger_id=req.trigger_id, view=modals.declare(surfaces))
        return None
    if isinstance(parsed, c.Declare):
        with ctx.tx() as session:
            incident = service.declare(
                session,
                ctx.config,
                service.Declaration(parsed.title, parsed.severity),
                declarer=who,
                now=now,
            )
        return Reply(declared_reply(incident))
    if isinstance(parsed, c.ListIncidents):
        with ctx.tx() as session:
            return Reply(blocks.list_text(service.open_incidents(session)))
    with ctx.tx() as session:
        incident = incident_here(session, req.channel_id)
        number = incident.id or 0
        if isinstance(parsed, c.UpdateModal):
            view = modals.update(incident, updates.draft(session, ctx.config, incident))
        elif isinstance(parsed, c.ShowStatus):
            return Reply(
                blocks.status_text(
                    incident, snapshot(session, incident), store.fixes(session, incident_id=number)
                )
            )
        elif isinstance(parsed, c.ShowTimeline):
            return Reply(
                blocks.timeline_text(incident, store.timeline(session, incident_id=number))
            )
        else:
            return act(ctx, session, number, parsed, who)
    req.client.views_open(trigger_id=req.trigger_id, view=view)
    return None


def act(ctx: Context, session: Session, number: int, parsed: Any, who: str) -> Reply | None:
    """Changes to one incident: they show in its channel, so the typist gets no extra reply."""
    now, admins = ctx.clock(), ctx.config.incidents.admins
    match parsed:
        case c.ChangeSeverity(severity, reason):
            invite = declaring.invitees(session, ctx.config, severity=severity, declarer=who)
            service.change_severity(
                session, number, severity, actor=who, now=now, reason=reason, invite=invite[1:]
            )
        case c.AssignRole(role, user_id):
            service.assign_role(session, number, role, user_id, actor=who, now=now)
        case c.Contain(text):
            service.contain(session, number, text, actor=who, now=now)
        case c.PostUpdate(text):
            service.post_update(session, ctx.config, number, text, actor=who, now=now)
        case c.RecordFinding(layer, finding):
            service.record_finding(session, number, layer, finding, actor=who, now=now)
        case c.RuleOut(layer, reason):
            service.rule_out(session, number, layer, reason, actor=who, now=now)
        case c.AddFix(description, test_id):
            service.add_fix(session, number, description, test_id, actor=who, now=now)
        case c.VerifyFix(fix_number, evidence):
            service.verify_fix(session, number, fix_number, actor=who, now=now, evidence=evidence)
        case c.AddNote(text):
            service.add_note(session, number, text, actor=who, now=now)
        case c.NameSurface(key):
            service.name_surface(session, ctx.config, number, key, actor=who, now=now)
        case c.Resolve():
            service.resolve(session, number, actor=who, admins=admins, now=now)
        case c.Close():
            service.close(
                session,
                number,
                actor=who,
                admins=admins,
                archive=ctx.config.incidents.archive_on_close,
                now=now,
            )
        case _:
            raise OpsError("That command does nothing here.", hint="Type `/incident help`.")
    return None


def declared_reply(incident: Incident) -> str:
    return (
        f"Declaring *{blocks.name(incident)}* ({incident.severity}): "
        f"{escape(incident.title)}. I am creating `#{incident.channel_name}`, inviting the "
        "people on call and pinning the control panel there."
    )


def contribute(ctx: Context) -> None:
    """What incidents hand other features that needs no Slack app (`opsbot ingest` runs it too):
    what rituals show of incidents, the daily triage's regressions, the eval-run hook that
    verifies fixes, and the time to remediation the dashboard shows."""
    ctx.ritual_context.append(digest.sections)
    ctx.triage_exceptions.append(regressions.triage_items)
    ctx.eval_run_hooks.append(remediation.verified_by_eval_run)
    ctx.remediation_durations = store.remediation_durations


def register(app: Any, ctx: Context) -> None:
    ctx.commands["/incident"] = CommandRouter(
        command="/incident",
        description="Declare and drive incidents",
        usage_hint="declare [sevN] <title> | list | status | help",
        help_text=commands.HELP,
        fallback=handle,
    )
    ctx.hooks.after_step[declaring.HOOK_CREATED] = declaring.channel_created
    ctx.hooks.on_error[declaring.HOOK_NAME_TAKEN] = declaring.name_taken
    ctx.hooks.after_step[declaring.HOOK_PINNED] = lambda session, job, response: (
        declaring.panel_pinned(
            session, job, response, incidents_channel=ctx.config.channels.incidents, now=ctx.clock()
        )
    )
    ctx.hooks.on_fail[declaring.HOOK_FAILED] = lambda session, job, error: declaring.declare_failed(
        session, job, error, now=ctx.clock()
    )
    interactive.register(app, ctx)
    ctx.home_sections.append((20, home.section))
    contribute(ctx)
    if ctx.scheduler is not None:
        ctx.scheduler.every("incident-nudges", 60, lambda: run_nudges(ctx))


def run_nudges(ctx: Context) -> None:
    with ctx.tx() as session:
        service.run_nudges(session, ctx.config, now=ctx.clock())
