"""`/metrics`, `/healthz` and `/readyz` on the `[ops] listen` address (aiohttp).

`/healthz` says the process answers. `/readyz` runs the readiness checks it was given and
answers 200 or 503 with a JSON body naming each check and what is wrong.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from adapters.ops.metrics import PrometheusMetrics

log = logging.getLogger(__name__)

Readiness = Callable[[], Awaitable[dict[str, object]]]


def make_ops_app(
    metrics: PrometheusMetrics,
    readiness: Readiness,
    refresh: Callable[[], Awaitable[None]] | None = None,
) -> web.Application:
    """`refresh` brings gauges read from the database (the outbox backlog) up to date
    before each scrape."""

    async def scrape(_request: web.Request) -> web.Response:
        if refresh is not None:
            try:
                await refresh()
            except Exception:  # a scrape still answers; /readyz names the database problem
                log.warning("metrics: refreshing the database gauges failed", exc_info=True)
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(_request: web.Request) -> web.Response:
        body = await readiness()
        checks = body.get("checks", {})
        if isinstance(checks, dict):
            for name, check in checks.items():
                metrics.ready.labels(name).set(1 if check.get("ok") else 0)
        return web.json_response(body, status=200 if body.get("ready") else 503)

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


class OpsListener:
    """A service of `psp-bot run`: serves until cancelled."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app, self._host, self._port = app, host, port
        self.port: int | None = None  # the bound port (useful with port 0)

    async def run(self) -> None:
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.warning("ops listener on %s:%s (metrics, healthz, readyz)", self._host, self.port)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
