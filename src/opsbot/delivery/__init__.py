"""Delivery: the worker that sends outbox jobs to Slack, in order per lane, at Slack's pace."""

from opsbot.delivery.hooks import METADATA_EVENT, AfterStep, Hooks, OnError, OnFail
from opsbot.delivery.worker import Delivery, DeliveryStats

__all__ = ["METADATA_EVENT", "AfterStep", "Delivery", "DeliveryStats", "Hooks", "OnError", "OnFail"]
