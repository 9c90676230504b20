"""What the ingest API and `opsbot ingest` accept: pydantic models and readable refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from opsbot.clock import TimeWindow

MAX_RECORDS = 10_000
MAX_PROBLEMS = 100  # a refusal lists at most this many problems, then says how many more
MAX_COST = 1_000_000.0  # per decision; sums of any number of batches stay finite
OUTCOMES = ("autonomous", "overridden", "escalated", "failed")


def _printable(value: str) -> str:
    """No control characters: PostgreSQL refuses NUL, and none of them belongs in a name."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_printable),
]
CaseId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^\S+$"),
    AfterValidator(_printable),
]
Finite = Annotated[float, Field(allow_inf_nan=False)]
WINDOW = "window"  # the validation context's key for the accepted TimeWindow


def validation_context(window: TimeWindow) -> dict[str, Any]:
    """Pass as ``context=`` when validating, so record times outside ``window`` are refused."""
    return {WINDOW: window}


def _inside_window(value: datetime, info: ValidationInfo) -> datetime:
    """Refuse a time outside the context's window, and one that UTC cannot hold at all."""
    try:
        value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise PydanticCustomError("time_range", "is not a time in years 1 to 9999 UTC") from None
    window = (info.context or {}).get(WINDOW)
    if window is not None and not window.holds(value):
        raise PydanticCustomError(
            "outside_window",
            "is outside the accepted time window, {earliest} to {latest} (set by the "
            "configuration keys ingest.accept_past_days and ingest.accept_future_minutes)",
            {"earliest": _minute(window.earliest), "latest": _minute(window.latest)},
        )
    return value


def _minute(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


At = Annotated[AwareDatetime, AfterValidator(_inside_window)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfidenceIn(_Strict):
    """One confidence score of a tag (an agent, a prompt version…) at a time."""

    at: At
    tag: Name
    score: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class OutcomeIn(_Strict):
    """One AI decision and how it ended: autonomous, overridden, escalated or failed."""

    at: At
    tag: Name
    outcome: Literal["autonomous", "overridden", "escalated", "failed"]
    cost: Annotated[float, Field(ge=0, le=MAX_COST, allow_inf_nan=False)]
    success: StrictBool
    version: Name | None = None  # the version that served this decision


class CaseIn(_Strict):
    """One case of an eval run; its id may be the verification test of an incident fix."""

    id: CaseId
    passed: StrictBool
    score: Finite | None = None


class EvalRunIn(_Strict):
    """An eval run of a suite: every case, passed or not (errors count as failures)."""

    suite: Name
    tag: Name
    run_id: Name
    at: At
    cases: list[CaseIn] = Field(max_length=MAX_RECORDS)


class ConfidenceBatch(_Strict):
    records: list[ConfidenceIn] = Field(min_length=1, max_length=MAX_RECORDS)


class OutcomeBatch(_Strict):
    records: list[OutcomeIn] = Field(min_length=1, max_length=MAX_RECORDS)


Batch = ConfidenceBatch | OutcomeBatch | EvalRunIn
BATCH_MODELS: dict[str, type[ConfidenceBatch] | type[OutcomeBatch] | type[EvalRunIn]] = {
    "confidence": ConfidenceBatch,
    "outcome": OutcomeBatch,
    "eval-run": EvalRunIn,
}
RECORD_MODELS: dict[str, type[ConfidenceIn] | type[OutcomeIn] | type[EvalRunIn]] = {
    "confidence": ConfidenceIn,
    "outcome": OutcomeIn,
    "eval-run": EvalRunIn,
}


def path_of(loc: tuple[int | str, ...]) -> str:
    """An error location as a refusal names it: ('records', 3, 'score') -> records[3].score."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def problems(error: ValidationError, *, prefix: str = "") -> list[dict[str, str]]:
    """Each problem as {"at": path, "problem": message}; never the offending value itself."""
    found = []
    for detail in error.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(detail["loc"])
        if detail["type"] == "json_invalid":
            message = "the body is not valid JSON"
        elif detail["type"] == "extra_forbidden":
            message = "is not a known field"
        else:
            message = detail["msg"]
        at = path_of(loc)
        found.append({"at": f"{prefix}{at}" if prefix else at, "problem": message})
    return found


def refusal(found: list[dict[str, str]]) -> dict[str, Any]:
    """The 422 body: the first problems, and how many there were in all."""
    shown = found[:MAX_PROBLEMS]
    return {
        "error": "invalid records: nothing was stored",
        "count": len(found),
        "problems": shown,
        **({"more": len(found) - len(shown)} if len(found) > len(shown) else {}),
    }
