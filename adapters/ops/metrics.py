"""The Prometheus side of bot.metrics.Metrics, on a registry of its own.

Every label is a fixed vocabulary (command class, outcome, notice kind, platform, reason
code): no case text, refs, room names or user ids ever become a series.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


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
        self.delivered_total = Counter(
            "psp_delivered",
            "Messages that reached their room, by kind (alert, escalation, reminder, answer …)"
            " and whether they arrived late (more than a minute after they were decided)",
            ["platform", "kind", "late"],
            registry=r,
        )
        self.matrix_lag = Histogram(
            "psp_matrix_sync_lag_seconds",
            "From the homeserver receiving an event to the bot handling it",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.matrix_last_sync = Gauge(
            "psp_matrix_last_sync_timestamp_seconds",
            "When the Matrix client's last successful sync was handled (Unix time)",
            registry=r,
        )
        self.undecryptable = Counter(
            "psp_matrix_undecryptable_events",
            "Encrypted events the bot could not decrypt (keys missing or withheld)",
            registry=r,
        )
        self.slack_ack_seconds = Histogram(
            "psp_slack_ack_seconds",
            "From a Slack request's arrival to its acknowledgement (Slack allows 3 s)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.audit_age = Gauge(
            "psp_audit_last_success_age_seconds",
            "Seconds since the last successful `audit verify` or `audit checkpoint` (-1: never)",
            ["task"],
            registry=r,
        )
        self.pruned = Counter(
            "psp_housekeeping_pruned",
            "Rows pruned by housekeeping, by kind",
            ["what"],
            registry=r,
        )
        self.connections = Gauge(
            "psp_database_connections",
            "This process's database connections: in use by a command or task, or idle",
            ["state"],
            registry=r,
        )
        # PostgreSQL only: made when first known, so SQLite shows no made-up limit.
        self.connections_limit: Gauge | None = None
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

    def delivered(self, platform: str, kind: str, *, late: bool) -> None:
        self.delivered_total.labels(platform, kind, "yes" if late else "no").inc()

    def matrix_sync(self, lag_seconds: float) -> None:
        self.matrix_lag.observe(max(0.0, lag_seconds))

    def matrix_synced(self) -> None:
        self.matrix_last_sync.set_to_current_time()

    def matrix_undecryptable(self) -> None:
        self.undecryptable.inc()

    def slack_ack(self, seconds: float) -> None:
        self.slack_ack_seconds.observe(seconds)

    # Gauges read at scrape time (bot/cli_ops_listener.py)

    def outbox_backlog(self, backlog: Mapping[str, tuple[int, float]]) -> None:
        """Per platform: replies waiting, and the age in seconds of the oldest. A platform
        with nothing waiting any more reads 0, not its last value."""
        for platform, (pending, oldest_seconds) in backlog.items():
            self.outbox_pending.labels(platform).set(pending)
            self.outbox_oldest.labels(platform).set(oldest_seconds)

    def audit_last_success(self, ages: Mapping[str, float | None]) -> None:
        for task, age in ages.items():
            self.audit_age.labels(task).set(-1 if age is None else age)

    def database_connections(self, in_use: int, idle: int, limit: int | None) -> None:
        self.connections.labels("in_use").set(in_use)
        self.connections.labels("idle").set(idle)
        if limit is None:
            return
        if self.connections_limit is None:
            self.connections_limit = Gauge(
                "psp_database_connections_limit",
                "The most database connections this process may open (PostgreSQL's"
                " pool_size + max_overflow)",
                registry=self.registry,
            )
        self.connections_limit.set(limit)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
