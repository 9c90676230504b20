"""`opsbot console --script FILE`: the console as its own process, as a person starts it."""

from __future__ import annotations

from pathlib import Path

from . import run_script


def test_a_script_is_answered_and_leaves_no_temporary_folder(tmp_path: Path) -> None:
    """Without a database URL the console runs on a throwaway SQLite file, answers `/ops help`,
    and removes its temporary folder at exit."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = run_script(["/ops help", "quit"], cwd=tmp_path, tmpdir=tmpdir)
    assert "(only visible to you in #general)" in out
    assert "/ops dashboard" in out and "/incident" in out
    assert "opsbot-console-" in out  # the database was in the temporary folder…
    assert list(tmpdir.iterdir()) == []  # …which is gone


def test_a_console_started_again_finds_its_incidents_channels(
    tmp_path: Path, database_url: str
) -> None:
    """With OPSBOT_CONSOLE_DATABASE_URL set, a second console finds the incident channel, its
    pinned control panel and its messages, and the bot edits that panel in place."""
    workspace = tmp_path / "workspace.json"
    first = run_script(
        ["/incident declare sev2 Refunds wrong", "quit"],
        cwd=tmp_path,
        database_url=database_url,
        workspace=workspace,
    )
    assert "[1] Contain" in first and workspace.is_file()
    second = run_script(
        ["#inc-1-refunds-wrong", "/incident contain Switched the refund agent off", "quit"],
        cwd=tmp_path,
        database_url=database_url,
        workspace=workspace,
    )
    assert "(Slack workspace found again in" in second
    assert "There is no #inc-1-refunds-wrong" not in second
    assert "1. opsbot" in second and "(edited)" in second
    assert "recorded containment: Switched the refund agent off" in second
    assert "*Status* contained" in second
