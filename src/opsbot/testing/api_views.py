"""views.*: modals opened with single-use trigger ids, pushed, updated; App Home published."""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

from . import limits
from .clock import real_monotonic
from .model import ApiError
from .state import Workspace
from .webapi import Args, Ctx, method

MAX_STACK = 3  # the root view and at most 2 pushed
_hashes = itertools.count(1)


def use_trigger(ctx: Ctx, trigger_id: str | None) -> str:
    """The user a trigger was issued to; it is single use and lives ``ctx.trigger_ttl`` seconds."""
    trigger = ctx.ws.triggers.get(trigger_id or "")
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if real_monotonic() - trigger.issued_at > ctx.trigger_ttl:
        raise ApiError("expired_trigger_id")
    trigger.used = True
    return trigger.user


def check_view(view: Any, *, kind: str) -> dict[str, Any]:
    """The view if Slack would accept it; otherwise the refusal as an ApiError."""
    problem = limits.view_problems(view, kind=kind)
    if problem is not None:
        error, messages = problem
        raise ApiError(error, messages=messages)
    return dict(view)


def _with_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks as Slack stores them in a view: every block and input element gets an id."""
    blocks = copy.deepcopy(blocks)
    for i, block in enumerate(blocks):
        block.setdefault("block_id", f"blk{i}")
        elements = [block.get("element"), block.get("accessory"), *(block.get("elements") or [])]
        for j, element in enumerate(e for e in elements if isinstance(e, dict)):
            if element.get("type") not in (None, "plain_text", "mrkdwn", "image"):
                element.setdefault("action_id", f"act{i}_{j}")
    return blocks


def store_view(
    ws: Workspace,
    view: dict[str, Any],
    *,
    user: str,
    view_id: str | None = None,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> dict[str, Any]:
    """Store a view in Slack's returned shape (ids, hash, empty state) and return it."""
    view_id = view_id or ws.new_id("V")
    stored = {
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "clear_on_close": False,
        "notify_on_close": False,
        "submit": None,
        "close": None,
        **view,
        "id": view_id,
        "team_id": ws.team_id,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
        "app_installed_team_id": ws.team_id,
        "blocks": _with_ids(view.get("blocks") or []),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{next(_hashes):08x}",
        "root_view_id": root_view_id or view_id,
        "previous_view_id": previous_view_id,
    }
    ws.views[view_id] = stored
    ws.view_owner[view_id] = user
    return stored


def _view_arg(args: Args) -> Any:
    view = args.decoded("view", invalid="invalid_arguments")
    if view is None:
        raise ApiError("invalid_arguments", messages=["[ERROR] missing required field: view"])
    return view


@method("views.open", tier=4)
def views_open(ctx: Ctx, args: Args) -> dict[str, Any]:
    view = check_view(_view_arg(args), kind="modal")
    user = use_trigger(ctx, args.get("trigger_id"))
    stored = store_view(ctx.ws, view, user=user)
    ctx.ws.stacks[user] = [stored["id"]]
    return {"view": stored}


@method("views.push", tier=4)
def views_push(ctx: Ctx, args: Args) -> dict[str, Any]:
    view = check_view(_view_arg(args), kind="modal")
    user = use_trigger(ctx, args.get("trigger_id"))
    stack = ctx.ws.stacks.get(user) or []
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    stored = store_view(ctx.ws, view, user=user, root_view_id=stack[0], previous_view_id=stack[-1])
    stack.append(stored["id"])
    return {"view": stored}


@method("views.update", tier=4)
def views_update(ctx: Ctx, args: Args) -> dict[str, Any]:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    current = ctx.ws.views.get(view_id or "")
    if current is None and external_id:
        current = next(
            (v for v in ctx.ws.views.values() if v.get("external_id") == external_id), None
        )
    if current is None:
        raise ApiError("not_found")
    expected = args.get("hash")
    if expected and expected != current["hash"]:
        raise ApiError("hash_conflict")
    view = check_view(_view_arg(args), kind=current["type"])
    stored = store_view(
        ctx.ws,
        view,
        user=ctx.ws.view_owner[current["id"]],
        view_id=current["id"],
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )
    return {"view": stored}


@method("views.publish", tier=4)
def views_publish(ctx: Ctx, args: Args) -> dict[str, Any]:
    user = ctx.ws.user(args.need("user_id", "user_not_found"))
    view = check_view(_view_arg(args), kind="home")
    current = ctx.ws.views.get(ctx.ws.homes.get(user.id, ""))
    expected = args.get("hash")
    if current is not None and expected and expected != current["hash"]:
        raise ApiError("hash_conflict")
    stored = store_view(ctx.ws, view, user=user.id, view_id=current["id"] if current else None)
    ctx.ws.homes[user.id] = stored["id"]
    return {"view": stored}


def apply_response_action(ws: Workspace, user: str, view_id: str, body: dict[str, Any]) -> None:
    """What Slack does with a view_submission's answer: errors keep the view, update replaces
    it, push stacks a new one, clear closes all, anything else closes the submitted view."""
    action = body.get("response_action")
    stack = ws.stacks.get(user) or []
    ws.bot_acted()
    if action == "errors" or view_id not in stack:
        return
    if action == "clear":
        stack.clear()
    elif action in ("update", "push"):
        try:
            view = check_view(body.get("view"), kind="modal")
        except ApiError as refusal:
            raise AssertionError(f"Slack refuses the {action}d view: {refusal.body}") from None
        if action == "update":
            current = ws.views[view_id]
            store_view(
                ws,
                view,
                user=user,
                view_id=view_id,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
        elif len(stack) >= MAX_STACK:
            raise AssertionError("response_action push over Slack's limit of 3 views")
        else:
            stored = store_view(
                ws, view, user=user, root_view_id=stack[0], previous_view_id=stack[-1]
            )
            stack.append(stored["id"])
    else:
        stack.remove(view_id)
