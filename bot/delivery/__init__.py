"""Delivery of the outbox's rows to the chat platforms (no SDK here: senders are ports)."""

from bot.delivery.policy import DeliveryPolicy
from bot.delivery.worker import DeliveryWorker

__all__ = ["DeliveryPolicy", "DeliveryWorker"]
