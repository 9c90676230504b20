"""The built-in roles, and what no single field can check: every role named exists, keys unique."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

BUILTIN_ROLES: dict[str, str] = {
    "product-ops-lead": "Owns the operating rhythm: daily triage, incident command, the retro.",
    "eval-engineer": "Owns eval suites, grader quality and the pre-deploy gate thresholds.",
    "workflow-analyst": "Owns workflow maps, override and escalation analysis, the weekly review.",
    "governance-partner": "Owns policy, risk and customer-trust calls; joins sev1s and the retro.",
}


def reference_problems(data: Mapping[str, Any]) -> list[str]:
    """Unknown roles, duplicate ritual or surface keys, shared tags (wrong types are ignored)."""
    roles = data.get("roles")
    extra = [role for role in roles if isinstance(role, str)] if isinstance(roles, dict) else []
    known = list(dict.fromkeys([*BUILTIN_ROLES, *extra]))
    problems: list[str] = []

    def check(path: str, role: Any) -> None:
        if isinstance(role, str) and role not in known:
            close = difflib.get_close_matches(role, known, n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            problems.append(
                f'{path}: unknown role "{role}"{guess}; known roles: {", ".join(known)} '
                "(define new ones under roles:)"
            )

    team = data.get("team")
    for role in team if isinstance(team, dict) else []:
        check(f"team.{role}", role)
    managers = data.get("team_managers")
    for index, manager in enumerate(managers if isinstance(managers, list) else []):
        if isinstance(manager, str) and manager.startswith("role:"):
            check(f"team_managers[{index}]", manager.removeprefix("role:"))
    incidents = data.get("incidents")
    invites = incidents.get("invite_roles") if isinstance(incidents, dict) else None
    for severity, listed in invites.items() if isinstance(invites, dict) else []:
        for index, role in enumerate(listed if isinstance(listed, list) else []):
            check(f"incidents.invite_roles.{severity}[{index}]", role)
    rituals = data.get("rituals")
    first_with_key: dict[str, int] = {}
    for index, ritual in enumerate(rituals if isinstance(rituals, list) else []):
        if not isinstance(ritual, dict):
            continue
        owners = ritual.get("owners")
        for position, owner in enumerate(owners if isinstance(owners, list) else []):
            if isinstance(owner, str) and owner.startswith("role:"):
                check(f"rituals[{index}].owners[{position}]", owner.removeprefix("role:"))
        key = ritual.get("key")
        if isinstance(key, str) and key in first_with_key:
            problems.append(
                f'rituals[{index}].key: "{key}" is already the key of '
                f"rituals[{first_with_key[key]}]; ritual keys must be unique"
            )
        elif isinstance(key, str):
            first_with_key[key] = index
    problems.extend(_surface_problems(data.get("surfaces"), check))
    return problems


def _surface_problems(surfaces: Any, check: Any) -> list[str]:
    """Roles named by surfaces exist; surface keys are unique; a tag belongs to one surface."""
    problems: list[str] = []
    first_with_key: dict[str, int] = {}
    owner_of_tag: dict[str, int] = {}
    for index, surface in enumerate(surfaces if isinstance(surfaces, list) else []):
        if not isinstance(surface, dict):
            continue
        for field in ("owners", "approvers"):
            listed = surface.get(field)
            for position, owner in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(owner, str) and owner.startswith("role:"):
                    check(f"surfaces[{index}].{field}[{position}]", owner.removeprefix("role:"))
        key = surface.get("key")
        if isinstance(key, str) and key in first_with_key:
            problems.append(
                f'surfaces[{index}].key: "{key}" is already the key of '
                f"surfaces[{first_with_key[key]}]; surface keys must be unique"
            )
            continue
        if isinstance(key, str):
            first_with_key[key] = index
        tags = surface.get("tags")
        if tags is None and isinstance(key, str):
            tags = [key]
        for position, tag in enumerate(tags if isinstance(tags, list) else []):
            if not isinstance(tag, str):
                continue
            if tag in owner_of_tag and owner_of_tag[tag] != index:
                where = (
                    f"surfaces[{index}].tags[{position}]"
                    if surface.get("tags")
                    else (f"surfaces[{index}].key")
                )
                problems.append(
                    f'{where}: the telemetry tag "{tag}" already belongs to '
                    f"surfaces[{owner_of_tag[tag]}]; a tag belongs to one surface"
                )
            else:
                owner_of_tag.setdefault(tag, index)
    return problems
