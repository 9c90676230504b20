"""The package layout docs/internals.md describes holds: no cycles between parts, rules that know
nothing of Slack or SQL, queries only in stores, telemetry beneath the domains."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import opsbot

SRC = Path(opsbot.__file__).parent
DOMAINS = ("incidents", "rituals", "dashboard", "telemetry", "team", "experiments")
# what any module may take from the database libraries: a session to pass on, an engine, errors
SESSION_ONLY = {("sqlmodel", "Session"), ("sqlalchemy", "Engine")}


@cache
def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "migrations":
            continue
        name = ".".join(("opsbot", *relative.with_suffix("").parts)).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imports(tree: ast.Module) -> list[tuple[str, str]]:
    """(module, name) for every import outside `if TYPE_CHECKING:` (types only, never run)."""
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def _part(module: str) -> str:
    """The top-level part a module belongs to: `opsbot.incidents.store` -> `incidents`."""
    return module.split(".")[1] if module.count(".") else module


def _part_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {_part(name): set() for name in modules}
    for name, tree in modules.items():
        for module, imported in _imports(tree):
            target = next((m for m in (f"{module}.{imported}", module) if m in modules), None)
            if target and _part(target) != _part(name):
                graph[_part(name)].add(_part(target))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the parts along it, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for after in sorted(graph.get(node, ())):
            if found := visit(after, [*path, node]):
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        if found := visit(start, []):
            return found
    return None


def test_no_part_imports_another_that_imports_it_back() -> None:
    """The parts (config, slack, each domain, the composition root…) form no import cycle."""
    assert _cycle(_part_graph()) is None


def test_a_cycle_would_be_found() -> None:
    """The cycle finder sees a cycle through three parts, and none in a chain."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_telemetry_imports_no_domain() -> None:
    """Domains read telemetry; telemetry reaches them only through the Context's seams."""
    others = {"incidents", "rituals", "dashboard", "team", "features", "cli_features", "app"}
    assert _part_graph()["telemetry"] & others == set()


def test_domains_reach_each_other_only_through_the_context() -> None:
    """Incidents, rituals and the dashboard import no other domain; they may read the parts
    beneath them (telemetry, team), and hand each other work through the seams."""
    graph = _part_graph()
    for domain in ("incidents", "rituals", "dashboard"):
        assert graph[domain] & {"incidents", "rituals", "dashboard"} == set(), domain


def test_rules_know_nothing_of_slack_or_sql() -> None:
    """A domain's model.py imports no database library, no Slack library and no opsbot.slack."""
    for name, tree in _modules().items():
        if not name.endswith(".model"):
            continue
        for module, _ in _imports(tree):
            assert not module.startswith(("sqlmodel", "sqlalchemy", "slack_", "opsbot.slack")), (
                name,
                module,
            )


def test_queries_live_in_the_stores() -> None:
    """In a domain package only its store imports query building; others pass a Session on."""
    for name, tree in _modules().items():
        parts = name.split(".")
        if len(parts) < 3 or parts[1] not in DOMAINS or parts[2] == "store":
            continue
        for module, imported in _imports(tree):
            if module.startswith(("sqlmodel", "sqlalchemy")) and not module.endswith(".exc"):
                assert (module.split(".")[0], imported) in SESSION_ONLY, (name, module, imported)
