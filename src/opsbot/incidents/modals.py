"""The incident modals (pure view builders); each carries the incident id in private_metadata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsbot.incidents import model
from opsbot.incidents.model import Layer
from opsbot.incidents.store import Fix, Incident
from opsbot.slack import blocks as kit


def modal(
    callback_id: str,
    title: str,
    blocks: list[dict[str, Any]],
    *,
    submit: str,
    incident: Incident | None = None,
) -> dict[str, Any]:
    """A modal about ``incident`` (its id is the view's private_metadata)."""
    return kit.modal(
        callback_id,
        title,
        blocks,
        submit=submit,
        private_metadata=str(incident.id) if incident else "",
    )


def _context(incident: Incident) -> dict[str, Any]:
    return kit.plain_context(f"Incident {incident.number}: {incident.title}")


LAYERS = [(layer.value, layer.value) for layer in Layer]


def declare(surfaces: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The declare form; ``surfaces`` (name, key), when configured, are the AI surface's choices."""
    severities = [
        ("sev1 (worst)", "sev1"),
        ("sev2", "sev2"),
        ("sev3", "sev3"),
        ("sev4 (mildest)", "sev4"),
    ]
    return modal(
        "incident.declare",
        "Declare an incident",
        [
            kit.text_input(
                "title",
                "Title",
                max_length=model.MAX_TITLE,
                placeholder="What is going wrong, in a few words",
            ),
            kit.select("severity", "Severity", severities, initial=model.DEFAULT_SEVERITY.value),
            kit.text_input("description", "Description", multiline=True, optional=True),
            kit.select(
                "impact",
                "Customer impact",
                [("Yes: customers are affected", "yes"), ("No customer impact known", "no")],
                initial="no",
            ),
            kit.select("surface", "Affected AI surface", list(surfaces), optional=True)
            if surfaces
            else kit.text_input(
                "surface",
                "Affected AI surface",
                optional=True,
                max_length=200,
                placeholder="e.g. refund agent, support copilot",
            ),
        ],
        submit="Declare",
    )


def contain(incident: Incident) -> dict[str, Any]:
    return modal(
        "incident.contain",
        "Record containment",
        [
            _context(incident),
            kit.text_input("text", "What stopped the harm?", multiline=True),
        ],
        submit="Record",
        incident=incident,
    )


def update(incident: Incident, drafted: str) -> dict[str, Any]:
    return modal(
        "incident.update",
        "Customer update",
        [
            _context(incident),
            kit.text_input(
                "text", "Update for customers (edit the draft)", multiline=True, initial=drafted
            ),
        ],
        submit="Post update",
        incident=incident,
    )


def finding(incident: Incident) -> dict[str, Any]:
    return modal(
        "incident.rca",
        "Add RCA finding",
        [
            _context(incident),
            kit.select("layer", "Layer", LAYERS),
            kit.text_input("text", "Finding", multiline=True),
        ],
        submit="Add finding",
        incident=incident,
    )


def rule_out(incident: Incident) -> dict[str, Any]:
    return modal(
        "incident.rule_out",
        "Rule out a layer",
        [
            _context(incident),
            kit.select("layer", "Layer", LAYERS),
            kit.text_input("text", "Why it is not the cause", multiline=True),
        ],
        submit="Rule out",
        incident=incident,
    )


def fix(incident: Incident) -> dict[str, Any]:
    return modal(
        "incident.fix",
        "Add a fix",
        [
            _context(incident),
            kit.text_input("text", "The fix", multiline=True),
            kit.text_input(
                "test",
                "Verification test id",
                max_length=200,
                placeholder="eval case or test id, e.g. eval-refund-guard",
            ),
        ],
        submit="Add fix",
        incident=incident,
    )


def verify(incident: Incident, fixes: list[Fix]) -> dict[str, Any]:
    options = [(f"{f.number}. {f.description} ({f.test_id})", str(f.number)) for f in fixes]
    return modal(
        "incident.verify",
        "Verify a fix",
        [
            _context(incident),
            kit.select("fix", "Fix", options, initial=options[0][1] if len(options) == 1 else None),
            kit.text_input("text", "Evidence (test run, link, result)", multiline=True),
        ],
        submit="Verify",
        incident=incident,
    )


def values(view: dict[str, Any]) -> dict[str, str | None]:
    """The submitted value of each input block, by block id (text or the picked option)."""
    found: dict[str, str | None] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        state: dict[str, Any] = actions.get("value") or next(iter(actions.values()), {})
        if state.get("type") == "static_select":
            picked = state.get("selected_option")
            found[block_id] = picked.get("value") if picked else None
        else:
            found[block_id] = state.get("value")
    return found
