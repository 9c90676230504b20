"""Block Kit for incidents: the control panel, the announcement, status and list (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opsbot.durations import duration
from opsbot.incidents import checks, store
from opsbot.incidents.model import IncidentFacts, Layer, LayerVerdict, Status
from opsbot.incidents.store import Finding, Fix, Incident
from opsbot.slack import blocks as kit
from opsbot.slack.mrkdwn import escape, is_user_id, truncate

BUTTONS = (
    ("Contain", "incident.contain"),
    ("Customer update", "incident.update"),
    ("Add RCA finding", "incident.rca"),
    ("Rule out layer", "incident.rule_out"),
    ("Add fix", "incident.fix"),
    ("Verify fix", "incident.verify"),
    ("Resolve", "incident.resolve"),
    ("Close", "incident.close"),
)
SEVERITY_EMOJI = {"sev1": "🔴", "sev2": "🟠", "sev3": "🟡", "sev4": "🔵"}


def when(at: datetime) -> str:
    """A time every reader sees in their own zone, e.g. `Nov 30 14:05`."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def ago(at: datetime) -> str:
    """How long ago, kept current by the Slack client."""
    return f"<!date^{int(at.timestamp())}^{{ago}}|{at:%Y-%m-%d %H:%M} UTC>"


def person(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "_nobody_"


def name(incident: Incident) -> str:
    return f"Incident {incident.number}"


def header(text: str) -> dict[str, Any]:
    return kit.header(text)


def panel_text(incident: Incident) -> str:
    return f"{name(incident)} ({incident.severity}, {incident.status}): {escape(incident.title)}"


def control_panel(
    incident: Incident,
    facts: IncidentFacts,
    fixes: list[Fix],
    findings: list[Finding],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """The pinned message that shows the incident's state and drives it with buttons."""
    lead = person(incident.acting_lead) + ("" if incident.lead else " (declarer, acting)")
    elapsed = duration(now - incident.declared_at)
    blocks: list[dict[str, Any]] = [
        header(f"{SEVERITY_EMOJI.get(incident.severity, '')} {name(incident)}: {incident.title}"),
        kit.fields(
            [
                f"*Status*\n{incident.status}",
                f"*Severity*\n{incident.severity}",
                f"*Lead*\n{lead}",
                f"*Comms*\n{person(incident.comms)}",
                f"*Scribe*\n{person(incident.scribe)}",
                f"*Declared*\n{when(incident.declared_at)} ({ago(incident.declared_at)}; "
                f"{elapsed} at last change)",
            ],
            block_id="incident_state",
        ),
        kit.section(f"*{checks.next_gate(facts)}*", block_id="incident_next"),
    ]
    if incident.status == Status.CONTAINED:
        missing = checks.missing_lines(facts)
        if missing:
            blocks.append(
                kit.section(
                    kit.lines([f"• {m}" for m in missing], kit.SECTION_TEXT),
                    block_id="incident_missing",
                )
            )
    blocks.append(kit.section(_containment(incident, facts), block_id="incident_containment"))
    blocks.append(kit.section(rca_text(facts), block_id="incident_rca"))
    blocks.append(kit.section(fixes_text(fixes), block_id="incident_fixes"))
    if incident.status != Status.CLOSED:
        blocks.append(
            kit.actions(
                [
                    kit.button(label, action, str(incident.id))
                    for label, action in BUTTONS
                    if not (incident.status == Status.RESOLVED and action != "incident.close")
                ],
                block_id="incident_actions",
            )
        )
    blocks.append(kit.context(f"Updated {when(now)} · type `/incident help` for every command"))
    return blocks


def _containment(incident: Incident, facts: IncidentFacts) -> str:
    lines = []
    if incident.containment and incident.contained_at:
        lines.append(
            f"*Contained* {when(incident.contained_at)}: "
            f"{truncate(escape(incident.containment), 1000)}"
        )
    else:
        lines.append("*Containment*: not recorded yet")
    updates = facts.customer_update_count
    lines.append(
        f"*Customer updates*: {updates}"
        + (
            f", first {when(incident.first_customer_update_at)}"
            if incident.first_customer_update_at
            else ""
        )
    )
    if incident.customer_impact or incident.ai_surface:
        lines.append(
            f"*Customer impact*: {'yes' if incident.customer_impact else 'no'}"
            + (f" · *AI surface*: {escape(incident.ai_surface)}" if incident.ai_surface else "")
        )
    return "\n".join(lines)


def rca_text(facts: IncidentFacts) -> str:
    lines = ["*Root cause by layer*"]
    for layer in Layer:
        state = facts.layers.get(layer)
        if state is None:
            lines.append(f"• {layer}: _open_")
        elif state.verdict is LayerVerdict.FINDING:
            lines.append(f"• {layer}: finding: {truncate(escape(state.text), 600)}")
        else:
            lines.append(f"• {layer}: ruled out: {truncate(escape(state.text), 600)}")
    return "\n".join(lines)


def fixes_text(fixes: list[Fix]) -> str:
    if not fixes:
        return "*Fixes*: none yet"
    lines = ["*Fixes*"]
    for fix in fixes:
        check = "✅ verified" if fix.verified_at else "⏳ unverified"
        lines.append(
            f"{fix.number}. {truncate(escape(fix.description), 400)} "
            f"(test `{escape(fix.test_id)}`) {check}"
        )
    return kit.lines(lines, kit.SECTION_TEXT, more=lambda n: f"…and {n} more fixes.")


def announcement_text(incident: Incident) -> str:
    return (
        f"{name(incident)} declared ({incident.severity}, {incident.status}): "
        f"{escape(incident.title)}"
    )


def announcement(incident: Incident, channel: Any) -> list[dict[str, Any]]:
    """The #incidents post; ``channel`` may be an outbox reference until the channel exists."""
    return [
        kit.section(
            f"{SEVERITY_EMOJI.get(incident.severity, '')} *{name(incident)}* "
            f"({incident.severity}, *{incident.status}*): {escape(incident.title)}\n"
            f"Lead: {person(incident.acting_lead)} · declared {when(incident.declared_at)}"
        ),
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Join "},
                        {"type": "channel", "channel_id": channel},
                    ],
                }
            ],
        },
    ]


def status_text(incident: Incident, facts: IncidentFacts, fixes: list[Fix]) -> str:
    """`/incident status`: one message, what holds and what is missing."""
    missing = checks.missing_lines(facts) if incident.status in store.OPEN_STATUSES else []
    lines = [
        f"*{name(incident)}*: {escape(incident.title)}",
        f"{incident.severity} · {incident.status} · lead {person(incident.acting_lead)}",
        checks.next_gate(facts),
        rca_text(facts),
        fixes_text(fixes),
    ]
    if missing:
        lines.append("*Missing before resolve*")
        lines += [f"• {m}" for m in missing]
    return kit.lines(lines, kit.SECTION_TEXT)


def list_line(incident: Incident) -> str:
    where = f"<#{incident.channel_id}>" if incident.channel_id else "(channel not created)"
    return (
        f"{SEVERITY_EMOJI.get(incident.severity, '')} *{name(incident)}* {incident.severity} · "
        f"{incident.status} · {truncate(escape(incident.title), 200)} · {where} · "
        f"lead {person(incident.acting_lead)}"
    )


def list_text(incidents: list[Incident]) -> str:
    if not incidents:
        return "No open incidents."
    lines = ["*Open incidents*"] + [list_line(i) for i in incidents]
    return kit.lines(lines, kit.MESSAGE_TEXT, more=lambda n: f"…and {n} more open incidents.")


def timeline_text(incident: Incident, events: list[Any]) -> str:
    lines = [f"*Timeline of {name(incident)}*"]
    for event in events:
        who = f" {person(event.actor)}" if event.actor else ""
        text = truncate(escape(event.text), 300)
        user = (event.data or {}).get("user")
        if user and is_user_id(str(user)):
            text = text.replace(str(user), f"<@{user}>")
        lines.append(f"• {when(event.at)}{who} [{event.kind}] {text}")
    return kit.lines(lines, kit.MESSAGE_TEXT, more=lambda n: f"…and {n} more entries.")
