"""The README's promises: its configuration reference, Quickstart and console walk-through."""

from __future__ import annotations

import re
from pathlib import Path

from opsbot.config import DEFAULT_CONFIG_YAML, parse_config

ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_the_whole_default_configuration() -> None:
    """The README's YAML reference is exactly the built-in default, and it loads."""
    readme = (ROOT / "README.md").read_text()
    assert DEFAULT_CONFIG_YAML.rstrip("\n") in readme
    block = re.search(r"```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    parse_config(block.group(1), source="README.md")


def test_quickstart_is_two_make_targets_that_exist() -> None:
    """The Quickstart's two commands are `make console` and `make test`, both in the Makefile."""
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quickstart.strip().splitlines()]
    assert commands == ["make console", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^console:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def walk_through() -> list[str]:
    """The console lines of the README's walk-through (its only ```console block)."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", readme, re.S)
    assert len(blocks) == 1, "the README has one console walk-through"
    return blocks[0].splitlines()


def test_the_console_walk_through_works_as_written(tmp_path: Path, database_url: str) -> None:
    """Every line of the README's walk-through, run by `opsbot console --script` from the
    repository, does what the README says: an incident from declaration to postmortem, then a
    ritual check-in and a decision, with no line refused or misread."""
    from tests.console import run_script

    lines = walk_through()
    out = run_script(
        lines, cwd=ROOT, database_url=database_url, workspace=tmp_path / "ws.json", tmpdir=tmp_path
    )
    for refusal in ("That did not work", "I don't know", "no longer there", "Give a "):
        assert refusal not in out
    assert out.rstrip().endswith("> quit"), "the script ended before its last line"
    said = [
        "(only visible to you in #general)",  # /ops help
        "Join #inc-1-refund-agent-approves-out-of-policy-refunds",  # the announcement
        "┌─ Record containment",
        "recorded containment: Turned off auto-approve for refunds over $200",
        "┌─ Customer update",
        "posted a customer update (also in #customer-comms)",
        "Verified fix 1 of incident 1 (test eval-refund-cap).",
        "resolved Incident 1",
        "# Postmortem: Incident 1: Refund agent approves out-of-policy refunds",
        "┌─ Check in",
        "@you checked in:",
        "Three overrides on refunds over $200 need a decision",
        "┌─ Record decision",
        "@you recorded decision 1: Re-check refunds over $200 after the fix",
        "Owner @bob · due Tue 15 Dec 2026",
        "You marked decision 1 done: Re-check refunds over $200 after the fix",
        "Summary of Daily exception triage",
        "Expected decisions not recorded",
        "── App Home ──",
    ]
    at = 0
    for text in said:
        found = out.find(text, at)
        assert found >= 0, f"{text!r} is not shown (in order) by the walk-through"
        at = found
