"""The Prometheus side of bot.metrics.Metrics, on a registry of its own.

Every label is a fixed vocabulary (command class, outcome, notice kind, platform, reason
code): no case text, refs, room names or user ids ever become a series.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class PrometheusMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "psp_commands",
            "Messages handled, by command and outcome",
            ["verb", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "psp_command_seconds",
            "Time to handle one message",
            ["verb"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.database_errors = Counter(
            "psp_database_errors",
            "Database contention and failures, by kind",
            ["kind"],
            registry=r,
        )
        self.notices = Counter(
            "psp_scheduler_notices",
            "Reminders, escalations and follow-ups sent, by kind",
            ["kind"],
            registry=r,
        )
        self.tick = Histogram(
            "psp_scheduler_tick_seconds",
            "Duration of one scheduler tick",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox_pending = Gauge(
            "psp_outbox_pending", "Replies waiting for delivery", ["platform"], registry=r
        )
        self.outbox_oldest = Gauge(
            "psp_outbox_oldest_pending_seconds",
            "Age of the oldest reply waiting for delivery",
            ["platform"],
            registry=r,
        )
        self.delivery_failures = Counter(
            "psp_delivery_failures",
            "Replies a platform did not take, by reason code; retried or dropped",
            ["platform", "reason", "result"],
            registry=r,
        )
        self.pruned = Counter(
            "psp_housekeeping_pruned",
            "Rows pruned by housekeeping, by kind",
            ["what"],
            registry=r,
        )
        self.ready = Gauge(
            "psp_ready_check", "1 when a readiness check holds", ["check"], registry=r
        )

    # bot.metrics.Metrics

    def command(self, verb: str, outcome: str, seconds: float) -> None:
        self.commands.labels(verb, outcome).inc()
        self.latency.labels(verb).observe(seconds)

    def database_error(self, kind: str) -> None:
        self.database_errors.labels(kind).inc()

    def scheduler_tick(self, seconds: float, sent: Mapping[str, int]) -> None:
        self.tick.observe(seconds)
        for kind, count in sent.items():
            self.notices.labels(kind).inc(count)

    def housekeeping(self, what: str, pruned: int) -> None:
        self.pruned.labels(what).inc(pruned)

    def delivery_failure(self, platform: str, reason: str, *, dropped: bool) -> None:
        self.delivery_failures.labels(platform, reason, "dropped" if dropped else "retry").inc()

    def outbox_backlog(self, backlog: Mapping[str, tuple[int, float]]) -> None:
        """Per platform: replies waiting, and the age in seconds of the oldest."""
        for platform, (pending, oldest_seconds) in backlog.items():
            self.outbox_pending.labels(platform).set(pending)
            self.outbox_oldest.labels(platform).set(oldest_seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
