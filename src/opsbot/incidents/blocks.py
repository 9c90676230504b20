"""Block Kit for incidents: the control panel, the announcement, status and list (pure)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from opsbot.incidents import model
from opsbot.incidents.model import IncidentFacts, Layer, LayerVerdict
from opsbot.incidents.store import Finding, Fix, Incident
from opsbot.slack.mrkdwn import escape, truncate

SECTION = 3000
FIELD = 2000
HEADER = 150
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
_USER = re.compile(r"[UW][A-Z0-9]{2,}")
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


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION)},
    }
    if block_id:
        block["block_id"] = block_id
    return block


def _field(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": truncate(text, FIELD)}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER)}}


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
    elapsed = model.format_duration(now - incident.declared_at)
    blocks: list[dict[str, Any]] = [
        header(f"{SEVERITY_EMOJI.get(incident.severity, '')} {name(incident)}: {incident.title}"),
        {
            "type": "section",
            "block_id": "incident_state",
            "fields": [
                _field(f"*Status*\n{incident.status}"),
                _field(f"*Severity*\n{incident.severity}"),
                _field(f"*Lead*\n{lead}"),
                _field(f"*Comms*\n{person(incident.comms)}"),
                _field(f"*Scribe*\n{person(incident.scribe)}"),
                _field(
                    f"*Declared*\n{when(incident.declared_at)} ({ago(incident.declared_at)}; "
                    f"{elapsed} at last change)"
                ),
            ],
        },
        _section(f"*{model.next_gate(facts)}*", "incident_next"),
    ]
    if incident.status in ("declared", "contained"):
        missing = model.missing_for_resolve(facts)
        if missing and incident.status == "contained":
            blocks.append(_section("\n".join(f"• {m}" for m in missing), "incident_missing"))
    blocks.append(_section(_containment(incident, facts), "incident_containment"))
    blocks.append(_section(rca_text(facts), "incident_rca"))
    blocks.append(_section(fixes_text(fixes), "incident_fixes"))
    if incident.status != "closed":
        blocks.append(
            {
                "type": "actions",
                "block_id": "incident_actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": label},
                        "action_id": action,
                        "value": str(incident.id),
                    }
                    for label, action in BUTTONS
                    if not (incident.status == "resolved" and action != "incident.close")
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Updated {when(now)} · type `/incident help` for every command",
                }
            ],
        }
    )
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
    return "\n".join(lines)


def announcement_text(incident: Incident) -> str:
    return (
        f"{name(incident)} declared ({incident.severity}, {incident.status}): "
        f"{escape(incident.title)}"
    )


def announcement(incident: Incident, channel: Any) -> list[dict[str, Any]]:
    """The #incidents post; ``channel`` may be an outbox reference until the channel exists."""
    return [
        _section(
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
    missing = (
        model.missing_for_resolve(facts) if incident.status in ("declared", "contained") else []
    )
    lines = [
        f"*{name(incident)}*: {escape(incident.title)}",
        f"{incident.severity} · {incident.status} · lead {person(incident.acting_lead)}",
        model.next_gate(facts),
        rca_text(facts),
        fixes_text(fixes),
    ]
    if missing:
        lines.append("*Missing before resolve*\n" + "\n".join(f"• {m}" for m in missing))
    return truncate("\n".join(lines), SECTION)


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
    return truncate("\n".join(lines), 3900)


def timeline_text(incident: Incident, events: list[Any]) -> str:
    lines = [f"*Timeline of {name(incident)}*"]
    for event in events:
        who = f" {person(event.actor)}" if event.actor else ""
        text = truncate(escape(event.text), 300)
        user = (event.data or {}).get("user")
        if user and _USER.fullmatch(str(user)):
            text = text.replace(str(user), f"<@{user}>")
        lines.append(f"• {when(event.at)}{who} [{event.kind}] {text}")
    return truncate("\n".join(lines), 3900)
