"""The registration form and the decision form: the views, and what a submission says (a
``Draft``, a call) or, field by field, what is wrong with it. Pure functions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from opsbot.config import Config
from opsbot.errors import FieldErrors, OpsError
from opsbot.experiments.checks import (
    DesignProblem,
    metric_named,
    parse_amount,
)
from opsbot.experiments.deciding import Call
from opsbot.experiments.model import (
    METRICS,
    ArmKind,
    Design,
    Guardrail,
    Metric,
)
from opsbot.experiments.registering import Draft
from opsbot.experiments.store import Experiment
from opsbot.slack import blocks as kit
from opsbot.slack.listeners import field_error
from opsbot.slack.mrkdwn import escape

NEW = "experiment_new"  # the registration modal's callback id
DECIDE_VIEW = "experiment_decide_view"
DEFAULT_DAYS = 7
DEFAULT_SAMPLE = 200


def _text(
    block_id: str,
    label: str,
    *,
    initial: str = "",
    placeholder: str = "",
    multiline: bool = False,
    optional: bool = False,
    hint: str = "",
    max_length: int = kit.INPUT_TEXT,
) -> dict[str, Any]:
    """A text field of the kit, with a hint under it when given."""
    block = kit.text_input(
        block_id,
        label,
        multiline=multiline,
        optional=optional,
        initial=initial or None,
        max_length=max_length,
        placeholder=placeholder or None,
    )
    return {**block, "hint": kit.plain(hint, kit.LABEL)} if hint else block


# ---- register -------------------------------------------------------------------------------
def new_modal(config: Config) -> dict[str, Any]:
    """The registration form; the surfaces to pick from come from the configuration."""
    if not config.surfaces:
        raise OpsError(
            "No surfaces are configured, and an experiment compares two versions of one.",
            hint="Add your AI surfaces under `surfaces:` in the configuration (README: "
            "Configuration), then try again.",
        )
    surfaces = [(s.name or s.key, s.key) for s in config.surfaces]
    metrics = [(f"{info.label} ({metric.value})", metric.value) for metric, info in METRICS.items()]
    intro = (
        "Fix the rule before the numbers come in: opsbot ships the treatment only if the primary "
        "metric improves and every guardrail holds, judged daily with a sequential test so "
        "looking early is safe."
    )
    blocks = [
        kit.section(intro),
        kit.select("surface", "Surface", surfaces, surfaces[0][1] if len(surfaces) == 1 else None),
        _text(
            "hypothesis",
            "Hypothesis",
            multiline=True,
            max_length=2000,
            placeholder="The shorter prompt raises the success rate without more escalations.",
        ),
        kit.select(
            "arm_kind",
            "The arms are",
            [
                ("two versions (the version field of outcomes)", ArmKind.VERSION.value),
                ("two telemetry tags of the surface", ArmKind.TAG.value),
            ],
            ArmKind.VERSION.value,
        ),
        _text("control", "Control: what is live now", placeholder="prompt-v12", max_length=100),
        _text("treatment", "Treatment: the change", placeholder="prompt-v13", max_length=100),
        _text("treatment_share", "Treatment's share of traffic", initial="50%", max_length=10),
        kit.select("primary_metric", "Primary metric", metrics, Metric.SUCCESS_RATE.value),
        _text(
            "min_effect",
            "Smallest effect worth detecting",
            placeholder="2pp",
            max_length=20,
            hint="In percentage points for a rate (2pp), relative for cost per success (10%).",
        ),
        _text(
            "guardrails",
            "Guardrails: one per line, the metric and how much worse it may get",
            multiline=True,
            max_length=500,
            placeholder="escalation_rate 1pp\ncost_per_success 10%",
            hint="Metrics: " + ", ".join(m.value for m in Metric) + ".",
        ),
        _text("min_days", "Minimum run time (days)", initial=str(DEFAULT_DAYS), max_length=3),
        _text(
            "min_sample",
            "Minimum sample per arm",
            initial=str(DEFAULT_SAMPLE),
            max_length=12,
            hint="Outcomes per arm (eval cases for the eval pass rate).",
        ),
        _text(
            "start",
            "Start (empty: now)",
            optional=True,
            max_length=40,
            placeholder="2026-12-01, 8 days ago, or 2026-12-01T09:00+01:00",
            hint="A start in the past counts the outcomes since then, and the card says the "
            "experiment was registered late.",
        ),
        _text(
            "key",
            "Key (empty: opsbot names it)",
            optional=True,
            max_length=60,
            placeholder="shorter-refund-prompt",
        ),
    ]
    return kit.modal(NEW, "New experiment", blocks, submit="Register")


def _value(values: dict[str, Any], block: str) -> str:
    field = (values.get(block) or {}).get("value") or {}
    selected = field.get("selected_option") or {}
    return str(field.get("value") or selected.get("value") or "").strip()


def parse_share(text: str) -> float:
    """``50%``, ``50`` or ``0.5``: the treatment's share."""
    raw = text.strip().rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise DesignProblem(
            f"“{text[:20]}” is not a share of traffic.", field="treatment_share", hint="Like 50%."
        ) from None
    return value / 100 if text.strip().endswith("%") or value > 1 else value


def parse_whole(text: str, *, field: str, what: str) -> int:
    raw = re.sub(r"\s*days?$", "", text.strip().replace(",", "").replace("_", ""))
    if not raw.isdigit():
        raise DesignProblem(f"“{text[:20]}” is not a whole number of {what}.", field=field)
    return int(raw)


def parse_start(text: str, *, now: datetime) -> datetime | None:
    """Empty (now), a date (its midnight UTC), ``today``, ``yesterday`` or ``N days ago``
    (midnight UTC of that day), or a time with its UTC offset."""
    if not text.strip():
        return None
    raw = text.strip()
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    relative = re.fullmatch(r"(\d{1,3}) days? ago", raw.lower())
    if raw.lower() in ("today", "yesterday") or relative:
        back = int(relative.group(1)) if relative else 1 if raw.lower() == "yesterday" else 0
        return midnight - timedelta(days=back)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise DesignProblem(
            f"“{raw[:40]}” is not a date or time.",
            field="start",
            hint="Write 2026-12-01, 8 days ago, or 2026-12-01T09:00+01:00 with its offset.",
        ) from None
    if at.tzinfo is None:
        raise DesignProblem(
            "Give the time's UTC offset (2026-12-01T09:00+01:00), or just the date.", field="start"
        )
    return at.astimezone(UTC)


def parse_guardrails(text: str) -> tuple[Guardrail, ...]:
    """One guardrail a line: ``metric tolerance`` (``escalation_rate 1pp``)."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            alone: Metric | None = metric_named(line, field="guardrails")
        except DesignProblem:
            alone = None
        if alone is not None:
            raise DesignProblem(
                f"The guardrail {alone.value} has no tolerance: say how much worse it may get.",
                field="guardrails",
                hint=f"Like: {alone.value} {'10%' if METRICS[alone].relative else '1pp'}",
            )
        name, _, tolerance = line.strip().rpartition(" ")
        metric = metric_named(name or tolerance, field="guardrails")
        found.append(
            Guardrail(metric, parse_amount(tolerance, metric, "tolerance", field="guardrails"))
        )
    return tuple(found)


def draft_from_form(values: dict[str, Any], *, now: datetime) -> Draft:
    """The registration a submitted form asks for; every malformed field refused at once."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}

    def read(field: str, parse: Any) -> None:
        try:
            parsed[field] = parse(_value(values, field))
        except DesignProblem as problem:
            errors[field] = field_error(problem)

    read("primary_metric", lambda v: metric_named(v))
    metric = parsed.get("primary_metric", Metric.SUCCESS_RATE)
    read("min_effect", lambda v: parse_amount(v, metric, "smallest effect worth detecting"))
    read("treatment_share", parse_share)
    read("guardrails", parse_guardrails)
    read("min_days", lambda v: parse_whole(v, field="min_days", what="days"))
    read("min_sample", lambda v: parse_whole(v, field="min_sample", what=METRICS[metric].counts))
    read("start", lambda v: parse_start(v, now=now))
    if errors:
        raise FieldErrors(errors)
    design = Design(
        surface=_value(values, "surface"),
        arm_kind=ArmKind(_value(values, "arm_kind") or ArmKind.VERSION.value),
        control=_value(values, "control"),
        treatment=_value(values, "treatment"),
        treatment_share=parsed["treatment_share"],
        primary=metric,
        guardrails=parsed["guardrails"],
        min_effect=parsed["min_effect"],
        min_days=parsed["min_days"],
        min_sample=parsed["min_sample"],
    )
    return Draft(
        design=design,
        hypothesis=_value(values, "hypothesis"),
        key=_value(values, "key") or None,
        starts_at=parsed["start"],
    )


# ---- decide -----------------------------------------------------------------------------------
def decide_modal(experiment: Experiment, *, user_id: str, due: date) -> dict[str, Any]:
    """The decision form: the call, why, and the ritual decision's owner and due date."""
    state = escape(experiment.state_label)
    blocks = [
        kit.section(
            f"*{escape(experiment.key)}*: `{escape(experiment.treatment)}` against "
            f"`{escape(experiment.control)}` on {escape(experiment.surface)}. The rule fixed "
            f"in advance says *{state}*."
        ),
        kit.select(
            "call",
            "Decision",
            [
                ("ship the treatment", Call.SHIP.value),
                ("roll back to the control", Call.ROLLBACK.value),
                ("iterate: change it and test again", Call.ITERATE.value),
            ],
            Call.SHIP.value if experiment.state == "ship" else None,
        ),
        _text("reason", "Why", multiline=True, max_length=1000),
        kit.input_block(
            "owner",
            "Owner (carries it out)",
            {"type": "users_select", "action_id": "value", "initial_user": user_id},
        ),
        kit.input_block(
            "due",
            "Due",
            {"type": "datepicker", "action_id": "value", "initial_date": due.isoformat()},
        ),
    ]
    return kit.modal(
        DECIDE_VIEW, "Decide", blocks, submit="Record", private_metadata=experiment.key
    )


def decision_from_form(values: dict[str, Any], *, today: date) -> tuple[Call, str, str, date]:
    """(call, reason, owner, due) from a submitted decision form."""
    errors: dict[str, str] = {}
    raw_call = _value(values, "call")
    if raw_call not in {c.value for c in Call}:
        errors["call"] = "Pick ship, roll back or iterate."
    reason = _value(values, "reason")
    if not reason:
        errors["reason"] = "Say why: the reason is kept with the decision."
    owner = str(((values.get("owner") or {}).get("value") or {}).get("selected_user") or "")
    if not owner:
        errors["owner"] = "Pick who carries the decision out."
    raw_due = str(((values.get("due") or {}).get("value") or {}).get("selected_date") or "")
    due = today + timedelta(days=7)
    try:
        due = date.fromisoformat(raw_due)
    except ValueError:
        errors["due"] = "Pick a due date."
    else:
        if due < today:
            errors["due"] = "That date has passed; pick today or later."
    if errors:
        raise FieldErrors(errors)
    return Call(raw_call), reason, owner, due
