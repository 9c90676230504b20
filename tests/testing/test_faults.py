"""Injected faults, the per-channel message pace and per-method rate-limit tiers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from opsbot.testing import FakeSlack

from . import client, error_of, stand_in


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        slack.add_channel("random")
        yield slack


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return client(slack, retry_handlers=[])


def post(web: WebClient, channel: str = "general") -> str:
    return str(web.chat_postMessage(channel=channel, text="x")["ts"])


def test_fail_times_counts_consecutive_calls(slack: FakeSlack, web: WebClient) -> None:
    """fail(times=2) refuses the next two calls with the error, then calls succeed again."""
    slack.fail("chat.postMessage", error="fatal_error", times=2)
    assert error_of(lambda: post(web))["error"] == "fatal_error"
    assert error_of(lambda: post(web))["error"] == "fatal_error"
    assert post(web)
    assert [c.error for c in slack.calls("chat.postMessage")] == [
        "fatal_error",
        "fatal_error",
        None,
    ]
    assert len(slack.messages("general")) == 1


def test_fail_forever_until_cleared(slack: FakeSlack, web: WebClient) -> None:
    """fail(times=None) lasts until clear_faults()."""
    slack.fail("chat.postMessage", times=None)
    for _ in range(3):
        assert error_of(lambda: post(web))["error"] == "internal_error"
    slack.clear_faults()
    assert post(web)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_carry_the_status(slack: FakeSlack, web: WebClient, status: int) -> None:
    """A 5xx fault answers that HTTP status with an error body."""
    slack.fail("chat.update", status=status, error="service_unavailable")
    with pytest.raises(SlackApiError) as raised:
        web.chat_update(channel="general", ts="1.0", text="x")
    assert raised.value.response.status_code == status
    assert raised.value.response["error"] == "service_unavailable"


def test_429_has_an_integer_retry_after(slack: FakeSlack, web: WebClient) -> None:
    """A 429 fault answers ratelimited with an integer Retry-After (default 1)."""
    slack.fail("chat.postMessage", status=429)
    with pytest.raises(SlackApiError) as raised:
        post(web)
    response = raised.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "1"
    int(response.headers["Retry-After"])


def test_rate_limit_retry_handler_succeeds_after_a_429(slack: FakeSlack) -> None:
    """slack_sdk's RateLimitErrorRetryHandler reads our Retry-After and its retry succeeds."""
    slack.fail("chat.postMessage", status=429, retry_after=0)
    web = client(slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert post(web)
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]


def test_fault_on_one_channel_only(slack: FakeSlack, web: WebClient) -> None:
    """A fault with channel= only hits calls naming that channel (by name or id)."""
    slack.fail("chat.postMessage", error="channel_is_slow", channel="random", times=None)
    assert post(web, "general")
    assert error_of(lambda: post(web, slack.channel_id("random")))["error"] == "channel_is_slow"


def test_any_method_fault(slack: FakeSlack, web: WebClient) -> None:
    """fail("*") hits whichever method is called next."""
    slack.fail("*", error="team_added_to_org")
    assert error_of(web.auth_test)["error"] == "team_added_to_org"
    assert web.auth_test()["ok"]


def test_delay_before_answering(slack: FakeSlack, web: WebClient) -> None:
    """delay with delay_after_effect=False sleeps, then answers normally."""
    slack.fail("chat.postMessage", error=None, delay=0.2, delay_after_effect=False)
    started = time.monotonic()
    assert post(web)
    assert time.monotonic() - started >= 0.2


def test_delay_after_effect_stores_the_message_before_the_client_gives_up(
    slack: FakeSlack,
) -> None:
    """A pure delay takes effect first: a client that times out still left its message stored."""
    slack.fail("chat.postMessage", error=None, delay=0.5)
    impatient = WebClient(base_url=slack.api_url, token="xoxb-test", timeout=0.1, retry_handlers=[])  # type: ignore[arg-type]
    with pytest.raises(OSError):
        post(impatient)
    assert [m.text for m in slack.messages("general")] == ["x"]


def test_error_after_effect_is_an_ambiguous_failure(slack: FakeSlack, web: WebClient) -> None:
    """delay_after_effect=True with an error stores the message yet answers the error."""
    slack.fail("chat.postMessage", status=500, delay_after_effect=True)
    with pytest.raises(SlackApiError):
        post(web)
    assert len(slack.messages("general")) == 1


def test_pace_allows_one_message_per_second_per_channel(slack: FakeSlack, web: WebClient) -> None:
    """With pace() a second post to the same channel within a second is 429 Retry-After 1."""
    slack.pace()
    assert post(web, "general")
    with pytest.raises(SlackApiError) as raised:
        post(web, "general")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert post(web, "random")
    slack.pace(enabled=False)
    assert post(web, "general")


def test_pace_burst(slack: FakeSlack, web: WebClient) -> None:
    """pace(burst=3) lets three messages through at once before limiting."""
    slack.pace(burst=3)
    for _ in range(3):
        post(web)
    assert error_of(lambda: post(web))["error"] == "ratelimited"


def test_rate_limit_tiers(slack: FakeSlack, web: WebClient) -> None:
    """rate_limits() allows Tier 2 methods 20 calls a minute; the 21st gets 429 with an
    integer Retry-After, and other methods are unaffected."""
    slack.rate_limits()
    for i in range(20):
        web.conversations_create(name=f"inc-{i}")
    with pytest.raises(SlackApiError) as raised:
        web.conversations_create(name="inc-20")
    retry_after = int(raised.value.response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert web.conversations_info(channel=slack.channel_id("general"))["ok"]


def test_rate_limit_override_per_method(slack: FakeSlack, web: WebClient) -> None:
    """rate_limits(per_minute=...) sets a method's own limit."""
    slack.rate_limits(per_minute={"auth.test": 2})
    web.auth_test()
    web.auth_test()
    assert error_of(web.auth_test)["error"] == "ratelimited"


def test_a_held_call_takes_effect_and_is_answered_only_when_released(
    slack: FakeSlack, web: WebClient
) -> None:
    """slack.hold: the message is posted at once, but the caller gets its answer only after
    the release."""
    release = slack.hold("chat.postMessage")
    answers: list[object] = []
    caller = threading.Thread(target=lambda: answers.append(post(web)))
    caller.start()
    slack.wait_for(lambda: slack.messages("general"), message="the held call took no effect")
    assert answers == []  # the caller still waits: its answer is held
    release.set()
    caller.join(10)
    assert answers == [slack.messages("general")[0].ts]
