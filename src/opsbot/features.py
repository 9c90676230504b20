"""Every feature's ``register(app, ctx)``, in the order their listeners should be added.

A feature whose contributions to other features need no Slack app also has a
``contribute(ctx)``: its ``register`` runs it, and so does ``contribute`` below, for commands
that run without a Bolt app (`opsbot ingest` verifies incident fixes with it).
"""

from __future__ import annotations

from collections.abc import Callable

from opsbot.context import Context
from opsbot.dashboard import slack as dashboard
from opsbot.experiments import slack as experiments
from opsbot.incidents import slack as incidents
from opsbot.rituals import slack as rituals
from opsbot.slack import ops
from opsbot.slack.app import Registrar
from opsbot.team import slack as team
from opsbot.telemetry import api as telemetry

Contributor = Callable[[Context], None]

REGISTRARS: list[Registrar] = [
    ops.register,
    team.register,
    incidents.register,
    rituals.register,
    telemetry.register,
    dashboard.register,
    experiments.register,
]

# The Slack-free part of the registrars above, in the same order.
CONTRIBUTORS: list[Contributor] = [
    incidents.contribute,
    dashboard.contribute,
    experiments.contribute,
]


def contribute(ctx: Context) -> None:
    """Give a Context without a Slack app what the features hand one another (eval-run and
    after-ingest hooks)."""
    for contributor in CONTRIBUTORS:
        contributor(ctx)
