"""The YAML configuration: defaults, lookups, and refusals that name the key path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from opsbot.config import (
    BUILTIN_ROLES,
    DEFAULT_CONFIG_YAML,
    Config,
    load_config,
    parse_config,
)
from opsbot.errors import ConfigError, NotFound
from opsbot.schedules import CronSchedule, EveryWeeksSchedule

RITUAL = """
rituals:
  - key: triage
    schedule: {cron: "0 9 * * mon-fri"}
    owners: ["role:product-ops-lead"]
    questions: ["Which exceptions need a decision today?"]
"""


def problems(text: str) -> list[str]:
    """The problem lines of the ConfigError that ``text`` raises."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.message.splitlines()


def test_no_file_gives_the_documented_defaults() -> None:
    """Without a file the bot runs with the four default rituals and the design's defaults."""
    config = load_config(None)
    assert [r.key for r in config.rituals] == [
        "daily-exception-triage",
        "weekly-model-workflow-review",
        "biweekly-eval-calibration",
        "monthly-operating-retro",
    ]
    assert config.timezone == "UTC"
    assert (config.channels.incidents, config.channels.customer_comms, config.channels.ops) == (
        "incidents",
        "customer-comms",
        "ai-ops",
    )
    assert config.incidents.archive_on_close is False
    assert config.incidents.lead_nudge_minutes == 5
    assert config.incidents.unverified_fix_nudge_hours == 24
    assert all(r.channel == "ai-ops" and r.questions and r.decision_outputs for r in config.rituals)


def test_default_yaml_loads_to_the_same_defaults() -> None:
    """DEFAULT_CONFIG_YAML (embedded in the README) is exactly the built-in configuration."""
    assert parse_config(DEFAULT_CONFIG_YAML) == load_config(None)


def test_default_yaml_documents_every_key() -> None:
    """Every key of every section appears in DEFAULT_CONFIG_YAML."""
    config = Config()
    sections = [config, config.channels, config.incidents, config.dashboard, config.rituals[0]]
    keys = {name for section in sections for name in type(section).model_fields}
    keys |= set(CronSchedule.model_fields) | set(EveryWeeksSchedule.model_fields)
    missing = [key for key in keys if key not in DEFAULT_CONFIG_YAML]
    assert missing == []


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    """An empty file (or one with only comments) is the default configuration."""
    path = tmp_path / "opsbot.yaml"
    path.write_text("# nothing yet\n")
    assert load_config(str(path)) == load_config(None)


def test_cadence_defaults_and_overrides() -> None:
    """sev1-sev3 nudge at 30/60/240 min, sev4 never; a listed severity overrides only itself."""
    assert [load_config(None).cadence_minutes(s) for s in ("sev1", "sev2", "sev3", "sev4")] == [
        30,
        60,
        240,
        None,
    ]
    config = parse_config("incidents: {update_cadence_minutes: {sev1: 15, sev3: null}}")
    assert config.cadence_minutes("sev1") == 15
    assert config.cadence_minutes("sev2") == 60
    assert config.cadence_minutes("sev3") is None


def test_schedules_and_channels_follow_the_top_level_defaults() -> None:
    """A schedule without a time zone takes ``timezone``; a ritual without a channel takes ops."""
    config = parse_config("timezone: Europe/London\nchannels: {ops: team-ops}\n" + RITUAL)
    ritual = config.ritual("triage")
    assert ritual.schedule.timezone == "Europe/London"
    assert ritual.channel == "team-ops"
    assert ritual.name == "Triage"
    assert load_config(None).rituals[0].schedule.timezone == "UTC"
    london_defaults = parse_config("timezone: Europe/London")
    assert {r.schedule.timezone for r in london_defaults.rituals} == {"Europe/London"}


def test_rituals_in_the_file_replace_the_defaults() -> None:
    """A file that defines rituals has only those rituals."""
    assert [r.key for r in parse_config(RITUAL).rituals] == ["triage"]


def test_owners_resolve_through_the_team() -> None:
    """``role:X`` expands to the team's members for X, user ids pass through, each id once."""
    config = parse_config(
        """
team:
  product-ops-lead: [U01ALICE01, U02BOB0001]
  governance-partner: [U03CAROL01]
roles: {data-steward: "Retrieval corpora and their freshness"}
"""
    )
    assert config.role_members("product-ops-lead") == ["U01ALICE01", "U02BOB0001"]
    assert config.role_members("data-steward") == []
    assert config.resolve_owners(["role:product-ops-lead", "U03CAROL01", "U01ALICE01"]) == [
        "U01ALICE01",
        "U02BOB0001",
        "U03CAROL01",
    ]
    assert set(config.known_roles) == {*BUILTIN_ROLES, "data-steward"}
    with pytest.raises(NotFound):
        config.role_members("nobody")


def test_every_weeks_schedule_loads() -> None:
    """The every_weeks form takes an anchor date (quoted or not) and a quoted "HH:MM"."""
    config = parse_config(
        RITUAL.replace(
            '{cron: "0 9 * * mon-fri"}',
            '{every_weeks: 2, anchor: 2026-12-07, at: "10:00", timezone: America/New_York}',
        )
    )
    schedule = config.rituals[0].schedule
    assert isinstance(schedule, EveryWeeksSchedule)
    assert (schedule.anchor, schedule.hour, schedule.minute) == (date(2026, 12, 7), 10, 0)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist stops the bot with the path in the message."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such configuration file"):
        load_config(str(missing))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """Broken YAML is refused with its file, line and column."""
    path = tmp_path / "opsbot.yaml"
    path.write_text("timezone: UTC\nteam:\n  product-ops-lead: [U01ALICE01\n  eval: x\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert caught.value.message.startswith(f"{path}: line 4, column")
    assert "invalid YAML" in caught.value.message


def test_duplicate_yaml_key_is_refused() -> None:
    """A key given twice in one mapping is an error, not a silent last-one-wins."""
    (line,) = problems("team: {}\ntimezone: UTC\nteam: {}\n")
    assert 'line 3, column 1: invalid YAML: duplicate key "team" (first given on line 1)' in line


def test_non_mapping_file_is_refused() -> None:
    """A YAML list at the top level is refused and the message lists the top-level keys."""
    (line,) = problems("- timezone: UTC\n")
    assert "must be a mapping of keys (timezone, channels, team" in line


def test_cron_with_four_fields_is_refused() -> None:
    """A four-field cron names its ritual, counts the fields and names the five."""
    (line,) = problems(RITUAL.replace("0 9 * * mon-fri", "0 9 * *"))
    assert line == (
        'rituals[0].schedule.cron: "0 9 * *" has 4 fields; '
        "a cron needs 5 (minute hour day month weekday)"
    )


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("61 9 * * *", 'bad minute field "61"'),
        ("0 9 * 13 *", 'bad month field "13"'),
        ("0 9 * * fri-mon", 'weekday range "fri-mon" runs backwards'),
        ("0 9 * * 8", 'bad weekday field "8"'),
        ("0 9 30 2 *", "never fires"),
    ],
)
def test_invalid_cron_values_are_refused(cron: str, expected: str) -> None:
    """A cron APScheduler cannot build, or that never fires, is refused naming the bad field."""
    (line,) = problems(RITUAL.replace("0 9 * * mon-fri", cron))
    assert line.startswith(f'rituals[0].schedule.cron: "{cron}"')
    assert expected in line


def test_both_schedule_forms_are_refused() -> None:
    """A schedule giving cron and every_weeks at once is refused; so is one giving neither."""
    both = RITUAL.replace('cron: "0 9 * * mon-fri"', 'cron: "0 9 * * *", every_weeks: 2')
    assert problems(both) == [
        'rituals[0].schedule: give either cron: "…" or every_weeks: N (with anchor and at), '
        "not both"
    ]
    neither = RITUAL.replace('cron: "0 9 * * mon-fri"', "timezone: UTC")
    assert problems(neither)[0].startswith('rituals[0].schedule: needs a cron: "0 9 * * mon-fri"')


def test_every_weeks_needs_anchor_and_a_quoted_time() -> None:
    """every_weeks without anchor is refused, and an unquoted 10:00 (YAML's 600) gets a hint."""
    lines = problems(RITUAL.replace('cron: "0 9 * * mon-fri"', "every_weeks: 2, at: 10:00"))
    assert lines == [
        "rituals[0].schedule.anchor: is required",
        'rituals[0].schedule.at: 600 is not a time of day; quote it, like at: "10:00"',
    ]


def test_unknown_role_is_refused_everywhere_with_the_known_roles() -> None:
    """An unknown role in team, invite_roles or owners names its path and lists the known roles."""
    lines = problems(
        """
team: {gov-partner: [U03CAROL01]}
incidents: {invite_roles: {sev1: [product-ops-lead, gov-partner]}}
"""
        + RITUAL.replace("role:product-ops-lead", "role:ops-lead")
    )
    assert [line.split(":")[0] for line in lines] == [
        "team.gov-partner",
        "incidents.invite_roles.sev1[1]",
        "rituals[0].owners[0]",
    ]
    assert lines[1].startswith(
        'incidents.invite_roles.sev1[1]: unknown role "gov-partner" '
        "(did you mean governance-partner?); known roles: product-ops-lead, eval-engineer, "
        "workflow-analyst, governance-partner"
    )


def test_roles_defined_under_roles_are_known() -> None:
    """A role added under ``roles`` may be used in team, invite_roles and owners."""
    config = parse_config(
        "roles: {data-steward: Owns retrieval corpora}\n"
        "team: {data-steward: [U04DAVE001]}\n"
        "incidents: {invite_roles: {sev2: [data-steward]}}\n"
        + RITUAL.replace("role:product-ops-lead", "role:data-steward")
    )
    assert config.resolve_owners(config.rituals[0].owners) == ["U04DAVE001"]


def test_bad_timezone_is_refused_with_a_suggestion() -> None:
    """A time zone zoneinfo does not know is refused, top-level or per schedule, with a guess."""
    lines = problems(
        "timezone: Europe/Londn\n"
        + RITUAL.replace('"0 9 * * mon-fri"}', '"0 9 * * mon-fri", timezone: Mars/Olympus}')
    )
    assert lines[0] == (
        'timezone: "Europe/Londn" is not an IANA time zone; did you mean Europe/London?'
    )
    assert lines[1].startswith('rituals[0].schedule.timezone: "Mars/Olympus" is not an IANA')


def test_bad_user_id_is_refused() -> None:
    """A team member, admin or owner that is not a Slack user id is refused at its position."""
    lines = problems(
        "team: {product-ops-lead: [U01ALICE01, alice]}\nincidents: {admins: [bob]}\n"
        + RITUAL.replace('"role:product-ops-lead"', '"role:product-ops-lead", carol')
    )
    assert lines == [
        'team.product-ops-lead[1]: "alice" is not a Slack user id (like U01ABCDEF)',
        'incidents.admins[0]: "bob" is not a Slack user id (like U01ABCDEF)',
        'rituals[0].owners[1]: "carol" is neither "role:<role>" nor a Slack user id '
        "(like U01ABCDEF)",
    ]


def test_duplicate_ritual_keys_are_refused() -> None:
    """Two rituals with one key are refused, naming the second and the first."""
    lines = problems(RITUAL + RITUAL.replace("rituals:\n", ""))
    assert lines == [
        'rituals[1].key: "triage" is already the key of rituals[0]; ritual keys must be unique'
    ]


def test_unknown_key_is_refused_with_a_suggestion() -> None:
    """A misspelt key is an error naming its path and the key it probably meant."""
    lines = problems("chanels: {ops: ai-ops}\n" + RITUAL.replace("questions:", "questons:"))
    assert lines == [
        "chanels: unknown key; did you mean channels?",
        "rituals[0].questions: is required",
        "rituals[0].questons: unknown key; did you mean questions?",
    ]


def test_unknown_severity_and_bad_channel_are_refused() -> None:
    """invite_roles accepts only sev1-sev4, and channel names follow Slack's rules, without '#'."""
    lines = problems(
        "channels: {ops: '#ai-ops', incidents: Incidents}\n"
        "incidents: {invite_roles: {sev9: []}, update_cadence_minutes: {sev1: 0}}\n"
    )
    assert lines == [
        'channels.incidents: "Incidents" is not a Slack channel name '
        "(lowercase letters, digits, - and _; at most 80 characters)",
        'channels.ops: "#ai-ops" must be written without "#": ai-ops',
        'incidents.invite_roles.sev9: "sev9" is not one of sev1, sev2, sev3 or sev4',
        "incidents.update_cadence_minutes.sev1: 0 should be greater than 0",
    ]


def test_reminders_must_fall_inside_the_window() -> None:
    """A reminder at or after window_minutes could never be sent, so it is refused."""
    lines = problems(RITUAL + "    window_minutes: 120\n    remind_after_minutes: [60, 180]\n")
    assert lines == [
        "rituals[0].remind_after_minutes[1]: 180 is not before the occurrence closes "
        "(window_minutes: 120)"
    ]


def test_empty_questions_and_bad_dashboard_values_are_refused() -> None:
    """A ritual needs a question, and dashboard thresholds are checked (watch before act)."""
    assert problems(RITUAL.replace('["Which exceptions need a decision today?"]', "[]")) == [
        "rituals[0].questions: needs at least 1 item(s)"
    ]
    assert problems("dashboard: {drift_watch: 0.3, drift_act: 0.2}") == [
        "dashboard.drift_watch: 0.3 is above drift_act (0.2); watch must come before act"
    ]


def test_every_problem_is_listed_in_file_order() -> None:
    """Several mistakes give one line each, ordered by section and list position."""
    lines = problems(
        "timezone: Nowhere/City\n"
        "rituals:\n"
        + "".join(
            f"  - key: r{i}\n"
            f'    schedule: {{cron: "{cron}"}}\n'
            f"    owners: [U01ALICE01]\n"
            f"    questions: [q]\n"
            for i, cron in enumerate(["0 9 * *"] + ["0 9 * * *"] * 10 + ["0 99 * * *"])
        )
    )
    assert [line.split(":")[0] for line in lines] == [
        "timezone",
        "rituals[0].schedule.cron",
        "rituals[11].schedule.cron",
    ]


def test_direct_construction_checks_references_too() -> None:
    """Building Config in code (not from YAML) still refuses unknown roles."""
    with pytest.raises(ValueError, match='unknown role "nobody"'):
        Config.model_validate({"team": {"nobody": ["U01ALICE01"]}})


def test_a_short_window_leaves_out_the_default_reminders_that_do_not_fit(tmp_path: Path) -> None:
    """window_minutes: 30 with no reminders written loads, with no reminder after the close."""
    path = tmp_path / "opsbot.yaml"
    path.write_text(RITUAL + "    window_minutes: 30\n")
    assert load_config(str(path)).ritual("triage").remind_after_minutes == []
    longer = parse_config(RITUAL + "    window_minutes: 90\n")
    assert longer.ritual("triage").remind_after_minutes == [60]


def test_a_reminder_past_the_default_window_names_the_key_written() -> None:
    """A reminder written past the default window is named, and the window is called the default."""
    lines = problems(RITUAL + "    remind_after_minutes: [300]\n")
    assert lines == [
        "rituals[0].remind_after_minutes[0]: 300 is not before the occurrence closes "
        "(window_minutes: 240, the default)"
    ]
