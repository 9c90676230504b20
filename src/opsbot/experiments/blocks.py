"""What people read about experiments: the card (edited in place), the notices in its thread,
the decision, the list and the help. Pure functions; every piece of user text is escaped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from opsbot.experiments.judgment import (
    Judgment,
)
from opsbot.experiments.model import (
    METRICS,
    ArmKind,
    Metric,
    format_amount,
    format_effect,
    format_value,
)
from opsbot.experiments.store import CONCLUDED, Experiment, ExperimentEvent
from opsbot.slack import blocks as kit
from opsbot.slack.mrkdwn import escape, is_user_id, mention, truncate

Blocks = list[dict[str, Any]]
DECIDE = "experiment_decide"  # the card's button: opens the decision modal
STATE_EMOJI = {
    "collecting": "⏳",
    "unhealthy": "🩺",
    "ship": "✅",
    "rollback": "↩️",
    "inconclusive": "🤷",
}
HELP = """*`/ops experiment`*: compare two versions (or two telemetry tags) of a surface on the \
outcomes opsbot ingests, with the rule to ship fixed before it starts
• `/ops experiment new`: register one (a form: hypothesis, arms, primary metric, guardrails \
with tolerances, smallest effect worth detecting, minimum run time and sample)
• `/ops experiment list`: every experiment and its state
• `/ops experiment show &lt;key&gt;`: its card, numbers and history
• `/ops experiment decide &lt;key&gt; ship|rollback|iterate &lt;reason&gt;`: record the call; \
it becomes a decision of the weekly review, yours and due in a week (the card's *Decide…* \
button lets you pick another owner and date)
States: collecting (N days left), unhealthy (the split is off, or an arm gets no outcomes), \
ship, rollback, inconclusive. The thread of its card hears of each new state once the \
minimum run time is over."""


def _day(at: datetime | date) -> str:
    return f"{at:%a %d %b %Y}"


def _user(who: str) -> str:
    """A Slack user as a mention; an API caller (``api:<token>``) or a name CI gave (an
    email…) as text."""
    if who.startswith("api:"):
        return f"the API (token {escape(who[4:])})"
    return mention(who) if is_user_id(who) else escape(who)


def _metric(metric: str) -> str:
    return METRICS[Metric(metric)].label


def arms_text(experiment: Experiment) -> str:
    kind = "version" if experiment.arm_kind == ArmKind.VERSION else "tag"
    share = round(experiment.treatment_share * 100)
    return (
        f"control {kind} `{escape(experiment.control)}` · treatment {kind} "
        f"`{escape(experiment.treatment)}` ({100 - share}/{share})"
    )


def guardrails_text(experiment: Experiment) -> str:
    return "; ".join(
        f"{_metric(g['metric'])} no worse than {format_amount(g['tolerance'], Metric(g['metric']))}"
        for g in experiment.guardrails
    )


def _interval(result: dict[str, Any], metric: Metric) -> str:
    if result.get("difference") is None:
        return "no estimate yet"
    low, high = result["interval"]
    return (
        f"{format_effect(result['difference'], metric)} "
        f"(interval {format_effect(low, metric)} to {format_effect(high, metric)})"
    )


def result_line(result: dict[str, Any], *, guardrail: bool) -> str:
    """One metric of the two arms: values, difference with its interval, and the verdict."""
    metric = Metric(result["metric"])
    name = METRICS[metric].label.capitalize()
    if guardrail:
        name += f" (guardrail, tolerance {format_amount(result['tolerance'], metric)})"
    return (
        f"*{name}*: {format_value(result['control'], metric)} → "
        f"{format_value(result['treatment'], metric)}, {_interval(result, metric)}: "
        f"*{result['verdict']}*"
    )


def numbers(experiment: Experiment) -> list[str]:
    """The judgment's lines: primary, guardrails, sample and split."""
    analysis = experiment.analysis
    if not analysis:
        return []
    lines = [result_line(analysis["primary"], guardrail=False)]
    lines += [result_line(g, guardrail=True) for g in analysis["guardrails"]]
    counts = METRICS[Metric(experiment.primary_metric)].counts
    samples = analysis["samples"]
    split = analysis.get("sample_ratio_p")
    check = f"split check p = {split:.2g}" if split is not None else "no split to check yet"
    lines.append(
        f"{samples['control']:,} {counts} in control, {samples['treatment']:,} in treatment "
        f"(at least {experiment.min_sample:,} each); {check}"
    )
    return lines


def card(experiment: Experiment) -> tuple[str, Blocks]:
    """The experiment's card: design, state, numbers, and the decision or the button."""
    emoji = STATE_EMOJI.get(experiment.state, "🧪")
    title = f"Experiment {experiment.key} on {experiment.surface}: {experiment.state_label}"
    primary = Metric(experiment.primary_metric)
    blocks: Blocks = [
        kit.header(f"🧪 Experiment {experiment.key}"),
        kit.section(f"*Hypothesis:* {truncate(escape(experiment.hypothesis), 2000)}"),
        kit.fields(
            [
                f"*Surface*\n{escape(experiment.surface)}",
                f"*Arms*\n{arms_text(experiment)}",
                f"*Primary metric*\n{METRICS[primary].label}; smallest effect worth "
                f"detecting {format_amount(experiment.min_effect, primary)}",
                f"*Guardrails*\n{guardrails_text(experiment)}",
                f"*Runs*\nfrom {experiment.starts_at:%a %d %b %Y %H:%M} UTC, at least "
                f"{experiment.min_days} days and {experiment.min_sample:,} "
                f"{METRICS[primary].counts} per arm",
                f"*Registered*\nby {_user(experiment.registered_by)}, "
                f"{_day(experiment.registered_at)}",
            ]
        ),
    ]
    if experiment.late:
        blocks.append(kit.context(late_text(experiment)))
    reason = escape(str(experiment.analysis.get("reason", "")))
    blocks.append(kit.section(f"{emoji} *State: {escape(experiment.state_label)}*. {reason}"))
    lines = numbers(experiment)
    if lines:
        blocks.append(kit.section("\n".join(lines)))
    notes = [escape(note) for note in experiment.analysis.get("notes", [])]
    confidence = round((1 - experiment.alpha) * 100)
    judged = f"{experiment.evaluated_at:%a %d %b %H:%M} UTC" if experiment.evaluated_at else "–"
    notes.append(
        f"Judged {judged}. Each interval holds the true difference at every daily look with "
        f"{confidence}% chance (a sequential test tuned to {experiment.tuning_total:,} "
        f"{METRICS[primary].counts}), so looking early does not inflate false alarms."
    )
    blocks.append(kit.context(" ".join(notes)))
    if experiment.status == CONCLUDED:
        blocks.append(kit.section(decision_text(experiment)))
    else:
        blocks.append(kit.actions([kit.button("Decide…", DECIDE, experiment.key)]))
    return title, blocks


def late_text(experiment: Experiment) -> str:
    return (
        f"⚠️ *Registered late*: it started {_day(experiment.starts_at)}, before it was "
        f"registered ({_day(experiment.registered_at)}). Its outcomes since the start count, "
        "but its rule was not fixed before they came in: it is not a pre-registered experiment."
    )


def decision_text(experiment: Experiment) -> str:
    reason = truncate(escape(experiment.decision_reason or ""), 1000)
    owner = f" Owner {_user(experiment.decision_owner)}" if experiment.decision_owner else ""
    due = f", due {_day(experiment.decision_due)}" if experiment.decision_due else ""
    return (
        f"*Decided: {experiment.decision}* by {_user(experiment.decided_by or '')} on "
        f"{_day(experiment.decided_at or experiment.registered_at)}: {reason}.{owner}{due}."
    )


def notice(experiment: Experiment, judgment: Judgment, *, previous: str) -> str:
    """The thread's notice of a new state (mentioning who registered it, when a person did)."""
    by = experiment.registered_by
    who = mention(by) + " " if is_user_id(by) else ""
    lines = [
        f"{who}{STATE_EMOJI.get(judgment.state.value, '')} *{escape(judgment.label)}* "
        f"(was {escape(previous)}). {escape(judgment.reason)}",
        result_line(judgment.primary.as_dict(), guardrail=False),
    ]
    lines += [result_line(g.as_dict(), guardrail=True) for g in judgment.guardrails]
    if judgment.state.value in ("ship", "rollback", "inconclusive"):
        lines.append(
            f"Record the call with `/ops experiment decide {experiment.key} ship|rollback|iterate "
            "&lt;reason&gt;` or the card's *Decide…* button."
        )
    return "\n".join(lines)


def decided(experiment: Experiment, *, owner: str, due: date, ritual: str) -> str:
    """The thread's note of the decision."""
    rule = experiment.state
    against = "" if rule == experiment.decision else " This call goes beyond it."
    return (
        f"*Decided: {experiment.decision}* by {_user(experiment.decided_by or '')}: "
        f"{truncate(escape(experiment.decision_reason or ''), 1000)}\n"
        f"The rule fixed in advance said *{escape(experiment.state_label)}*.{against} "
        f"Recorded as a decision of the {escape(ritual)}: owner <@{escape(owner)}>, due "
        f"{_day(due)}."
    )


def listing(experiments: list[Experiment]) -> str:
    if not experiments:
        return (
            "No experiments yet. Register one with `/ops experiment new`: it compares two "
            "versions of a surface on the outcomes opsbot ingests."
        )
    lines = ["*Experiments*"]
    for e in experiments:
        decided_ = f"; decided *{e.decision}*" if e.decision else ""
        late = " (registered late)" if e.late else ""
        lines.append(
            f"• *{escape(e.key)}* on {escape(e.surface)}: `{escape(e.treatment)}` against "
            f"`{escape(e.control)}`, {_metric(e.primary_metric)}: {escape(e.state_label)}"
            f"{decided_}{late}"
        )
    lines.append("`/ops experiment show &lt;key&gt;` shows one.")
    return truncate("\n".join(lines), 3900)


def history(events: list[ExperimentEvent]) -> str:
    """The experiment's history, one line per event."""
    lines = []
    for event in events:
        at = f"{event.at:%a %d %b %H:%M}"
        if event.kind == "registered":
            late = " (late)" if event.detail.get("late") else ""
            lines.append(f"{at} registered{late} by {_user(str(event.detail.get('by', '')))}")
        elif event.kind == "state":
            lines.append(f"{at} {escape(str(event.detail.get('label', event.state)))}")
        elif event.kind == "decided":
            lines.append(
                f"{at} decided {escape(str(event.detail.get('decision')))} by "
                f"{_user(str(event.detail.get('by', '')))}"
            )
    return truncate("History: " + " · ".join(lines), 2900)


def show(experiment: Experiment, events: list[ExperimentEvent]) -> tuple[str, Blocks]:
    text, blocks = card(experiment)
    blocks = [b for b in blocks if b["type"] != "actions"]
    blocks.append(kit.context(history(events)))
    return text, blocks
