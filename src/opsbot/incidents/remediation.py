"""Root cause and fix: findings and ruled-out layers, fixes with their tests, verification."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot.errors import NotFound, OpsError
from opsbot.incidents import checks, store
from opsbot.incidents.lifecycle import changed, check_text, editable
from opsbot.incidents.model import Layer, LayerVerdict
from opsbot.incidents.store import Fix, Incident
from opsbot.seams import EvalRunSummary
from opsbot.slack.mrkdwn import code, escape


def record_finding(
    session: Session, incident_id: int, layer: Layer, text: str, *, actor: str, now: datetime
) -> Incident:
    """Record what was found wrong in one layer (model, data or workflow)."""
    return _settle_layer(
        session,
        incident_id,
        layer,
        check_text(text, "finding"),
        LayerVerdict.FINDING,
        actor=actor,
        now=now,
    )


def rule_out(
    session: Session, incident_id: int, layer: Layer, reason: str, *, actor: str, now: datetime
) -> Incident:
    """Record why one layer is not where the cause lies."""
    return _settle_layer(
        session,
        incident_id,
        layer,
        check_text(reason, "reason"),
        LayerVerdict.RULED_OUT,
        actor=actor,
        now=now,
    )


def _settle_layer(
    session: Session,
    incident_id: int,
    layer: Layer,
    text: str,
    verdict: LayerVerdict,
    *,
    actor: str,
    now: datetime,
) -> Incident:
    incident = editable(session, incident_id)
    session.add(
        store.Finding(
            incident_id=incident.id or 0,
            layer=layer.value,
            verdict=verdict.value,
            text=text,
            actor=actor,
            at=now,
        )
    )
    found = verdict == LayerVerdict.FINDING
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="finding" if found else "ruled_out",
        text=f"{layer.value}: {text}" if found else f"{layer.value} ruled out: {text}",
        data={"layer": layer.value},
        announce=(
            f"🔎 <@{actor}> recorded a *{layer.value}* finding: {escape(text)}"
            if found
            else f"🚫 <@{actor}> ruled out the *{layer.value}* layer: {escape(text)}"
        ),
    )
    return incident


def add_fix(
    session: Session, incident_id: int, description: str, test_id: str, *, actor: str, now: datetime
) -> Fix:
    """Record a fix and the eval case or test that will verify it; numbered 1, 2, …"""
    incident = editable(session, incident_id)
    description = check_text(description, "fix description")
    test_id = checks.check_test_id(test_id)
    number = store.next_fix_number(session, incident_id=incident.id or 0)
    fix = Fix(
        incident_id=incident.id or 0,
        number=number,
        description=description,
        test_id=test_id,
        actor=actor,
        created_at=now,
    )
    session.add(fix)
    incident.remediated_at = None  # a new fix reopens remediation until it is verified
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="fix",
        text=f"Fix {number}: {description} (test {test_id})",
        data={"fix": number, "test_id": test_id},
        announce=f"🛠️ <@{actor}> added fix {number}: {escape(description)} "
        f"(verified by {code(test_id)})",
    )
    return fix


def _mark_verified(
    session: Session, incident: Incident, fix: Fix, *, evidence: str | None, by: str, now: datetime
) -> None:
    fix.verified_at, fix.evidence, fix.verified_by = now, evidence, by
    session.add(fix)
    session.flush()
    fixes = store.fixes(session, incident_id=incident.id or 0)
    if all(f.verified_at for f in fixes):
        incident.remediated_at = max(f.verified_at for f in fixes if f.verified_at)


def verify_fix(
    session: Session,
    incident_id: int,
    number: int,
    *,
    actor: str,
    now: datetime,
    evidence: str | None = None,
) -> Fix:
    incident = editable(session, incident_id)
    fix = store.fix(session, incident_id=incident.id or 0, number=number)
    if fix is None:
        known = [f.number for f in store.fixes(session, incident_id=incident.id or 0)]
        listed = ", ".join(str(n) for n in known) if known else "none yet"
        raise NotFound(
            f"There is no fix {number} in this incident (fixes: {listed}).",
            hint="Type " + code("/incident status") + " to see the fixes.",
        )
    if fix.verified_at:
        raise OpsError(f"Fix {number} is already verified.")
    evidence = check_text(evidence, "evidence") if evidence else None
    _mark_verified(session, incident, fix, evidence=evidence, by=actor, now=now)
    shown = f": {escape(evidence)}" if evidence else ""
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="verified",
        text=f"Fix {number} verified" + (f": {evidence}" if evidence else ""),
        data={"fix": number, "test_id": fix.test_id},
        announce=f"✅ <@{actor}> verified fix {number} ({code(fix.test_id)}){shown}",
    )
    return fix


def verify_fixes_by_tests(
    session: Session, *, test_ids: Collection[str], run_ref: str, at: datetime
) -> list[Fix]:
    """A passing eval run verifies every open fix whose test is one of its passing case ids,
    the run as evidence; each incident channel is told. Returns the fixes verified, in incident
    then fix order (the order their incidents are locked in)."""
    passing = set(test_ids)
    verified = []
    for fix in store.unverified_fixes(session) if passing else []:
        if fix.test_id not in passing:
            continue
        incident = store.lock(session, incident_id=fix.incident_id)
        if incident is None:
            continue
        session.refresh(fix)  # a run stored at the same time may have verified it meanwhile
        if fix.verified_at is not None:
            continue
        evidence = f"eval run {run_ref} passed {fix.test_id}"
        _mark_verified(session, incident, fix, evidence=evidence, by=f"eval run {run_ref}", now=at)
        changed(
            session,
            incident,
            now=at,
            actor=None,
            kind="verified",
            text=f"Fix {fix.number} verified by {evidence}",
            data={"fix": fix.number, "test_id": fix.test_id, "run": run_ref},
            announce=f"✅ Fix {fix.number} is verified: eval run {code(run_ref)} passed "
            f"{code(fix.test_id)}.",
        )
        verified.append(fix)
    return verified


def verified_by_eval_run(session: Session, run: EvalRunSummary) -> list[dict[str, Any]]:
    """The incidents' eval-run hook (``ctx.eval_run_hooks``): one call per stored run verifies
    the open fixes its passing cases test; the ingest answer lists them."""
    fixes = verify_fixes_by_tests(session, test_ids=run.passing, run_ref=run.run_ref, at=run.at)
    return [{"incident": f.incident_id, "fix": f.number, "test": f.test_id} for f in fixes]
