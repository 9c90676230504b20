"""The experiments API under /api/v1: register one (``experiments`` scope), read them all or
one (``read`` or ``experiments``). Refusals name the field and change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from opsbot.context import Context
from opsbot.experiments import registering, store
from opsbot.experiments.checks import (
    DesignProblem,
    check_amount,
    metric_named,
)
from opsbot.experiments.model import (
    ArmKind,
    Design,
    Guardrail,
)
from opsbot.experiments.registering import Conflict, Draft
from opsbot.experiments.store import Experiment
from opsbot.telemetry.api import Answer, authorize
from opsbot.telemetry.schemas import Name, problems

MAX_BODY = 64 * 1024
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuardrailIn(_Strict):
    metric: Name
    tolerance: float  # percentage points as a fraction for rates (0.01), relative for cost


class ExperimentIn(_Strict):
    """A registration: the design, fixed from now on."""

    surface: Name
    hypothesis: Text
    control: Name
    treatment: Name
    primary_metric: Name
    min_effect: float
    guardrails: list[GuardrailIn] = Field(max_length=10)
    arm_kind: Literal["version", "tag"] = "version"
    treatment_share: float = 0.5
    min_days: int = 7
    min_sample: int = 200
    start: AwareDatetime | None = None
    key: Name | None = None
    registered_by: Name | None = None  # who, for the card (a Slack user id or an email)


def draft_of(body: ExperimentIn) -> Draft:
    """The registration the body asks for; a metric or amount that cannot be is refused with
    its field."""
    primary = metric_named(body.primary_metric, field="primary_metric")
    guardrails = []
    for index, guardrail in enumerate(body.guardrails):
        metric = metric_named(guardrail.metric, field=f"guardrails[{index}].metric")
        field = f"guardrails[{index}].tolerance"
        guardrails.append(
            Guardrail(metric, check_amount(guardrail.tolerance, metric, "tolerance", field=field))
        )
    design = Design(
        surface=body.surface,
        arm_kind=ArmKind(body.arm_kind),
        control=body.control,
        treatment=body.treatment,
        treatment_share=body.treatment_share,
        primary=primary,
        guardrails=tuple(guardrails),
        min_effect=check_amount(body.min_effect, primary, "smallest effect", field="min_effect"),
        min_days=body.min_days,
        min_sample=body.min_sample,
    )
    return Draft(design=design, hypothesis=body.hypothesis, key=body.key, starts_at=body.start)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def as_json(
    experiment: Experiment, events: list[store.ExperimentEvent] | None = None
) -> dict[str, Any]:
    """An experiment as the API shows it: design, latest judgment, decision (and history)."""
    found: dict[str, Any] = {
        "key": experiment.key,
        "surface": experiment.surface,
        "hypothesis": experiment.hypothesis,
        "arm_kind": experiment.arm_kind,
        "control": experiment.control,
        "treatment": experiment.treatment,
        "treatment_share": experiment.treatment_share,
        "primary_metric": experiment.primary_metric,
        "min_effect": experiment.min_effect,
        "guardrails": experiment.guardrails,
        "min_days": experiment.min_days,
        "min_sample": experiment.min_sample,
        "alpha": experiment.alpha,
        "tuning_total": experiment.tuning_total,
        "start": _iso(experiment.starts_at),
        "registered_at": _iso(experiment.registered_at),
        "registered_by": experiment.registered_by,
        "registered_late": experiment.late,
        "status": experiment.status,
        "state": experiment.state,
        "state_label": experiment.state_label,
        "analysis": experiment.analysis,
        "evaluated_at": _iso(experiment.evaluated_at),
        "ended_at": _iso(experiment.ended_at),
        "decision": None
        if experiment.decision is None
        else {
            "call": experiment.decision,
            "reason": experiment.decision_reason,
            "by": experiment.decided_by,
            "at": _iso(experiment.decided_at),
            "owner": experiment.decision_owner,
            "due": experiment.decision_due.isoformat() if experiment.decision_due else None,
        },
    }
    if events is not None:
        found["events"] = [
            {"at": _iso(e.at), "kind": e.kind, "state": e.state, **e.detail} for e in events
        ]
    return found


def register(ctx: Context, headers: Any, body: bytes) -> Answer:
    caller = authorize(ctx, headers, "experiments")
    if isinstance(caller, Answer):
        return caller
    try:
        payload = ExperimentIn.model_validate_json(body)
    except ValidationError as exc:
        found = problems(exc)
        return Answer(
            422,
            {
                "error": "invalid experiment: nothing was stored",
                "count": len(found),
                "problems": found,
            },
        )
    try:
        draft = draft_of(payload)
        with ctx.tx() as session:
            by = payload.registered_by or f"api:{caller.name}"
            experiment = registering.register(session, ctx.config, draft, by=by, now=ctx.clock())
            return Answer(201, {"experiment": as_json(experiment)})
    except Conflict as clash:
        return Answer(
            409, {"error": "conflict", "message": clash.for_slack(), "field": clash.field}
        )
    except DesignProblem as problem:
        return Answer(
            422,
            {
                "error": "invalid experiment: nothing was stored",
                "message": problem.for_slack(),
                "field": problem.field,
            },
        )


def read(ctx: Context, headers: Any, key: str | None) -> Answer:
    caller = authorize(ctx, headers, "read", "experiments")
    if isinstance(caller, Answer):
        return caller
    with ctx.tx() as session:
        if key is None:
            return Answer(
                200, {"experiments": [as_json(e) for e in store.listed(session, limit=500)]}
            )
        experiment = store.by_key(session, key=key)
        if experiment is None:
            return Answer(404, {"error": "not found", "message": f"There is no experiment {key}."})
        return Answer(
            200, as_json(experiment, store.events(session, experiment_id=experiment.id or 0))
        )


def routes(ctx: Context) -> list[Route]:
    """The experiments' routes under /api/v1."""

    async def create(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return Answer(413, {"error": "too large", "message": "At most 64 KB."}).response()
        answer = await run_in_threadpool(register, ctx, request.headers, body)
        return answer.response()

    async def listing(request: Request) -> Response:
        answer = await run_in_threadpool(read, ctx, request.headers, None)
        return answer.response()

    async def one(request: Request) -> Response:
        key = request.path_params["key"]
        answer = await run_in_threadpool(read, ctx, request.headers, key)
        return answer.response()

    return [
        Route("/api/v1/experiments", create, methods=["POST"]),
        Route("/api/v1/experiments", listing, methods=["GET"]),
        Route("/api/v1/experiments/{key}", one, methods=["GET"]),
    ]
