"""Answering a submitted form within Slack's deadline.

Slack waits 3 s for the answer to a `view_submission`. The answer is given once the core has
answered: the form closes (`ack()`) when the command committed, or stays open with the
core's refusal under the field it concerns (`response_action: "errors"`), the typed text
kept. A core that has not answered within `seconds` closes the form at once and goes on; its
refusal, if it refuses, is then posted as a message, as any other."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

import adapters.slack.modals as modals
from bot.messages import RefusedCommand
from bot.runtime import Router

log = logging.getLogger(__name__)

# Slack allows 3 s; the rest is for the answer's way back.
FORM_ANSWER_SECONDS = 2.5


class FormAnswers:
    def __init__(self, router: Router, *, seconds: float = FORM_ANSWER_SECONDS) -> None:
        self.router = router
        self.seconds = seconds
        self._late: set[asyncio.Task[None]] = set()

    async def answer(
        self,
        ack: AsyncAck,
        callback: str,
        work: Awaitable[RefusedCommand | None],
        *,
        failed: Callable[[Exception], None],
    ) -> None:
        """Run the form's command and answer Slack (see the module). A command that fails
        gets no answer (bolt answers 500) after `failed` was told."""
        task = asyncio.ensure_future(work)
        done, _pending = await asyncio.wait({task}, timeout=self.seconds)
        if not done:
            await ack()
            self._finish_late(task)
            return
        try:
            refused = task.result()
        except Exception as exc:
            failed(exc)
            raise
        if refused is None:
            await ack()
            return
        field = modals.refusal_field(callback, refused.about)
        await ack(response_action="errors", errors={field: refused.text})

    def _finish_late(self, work: asyncio.Future[RefusedCommand | None]) -> None:
        async def finish() -> None:
            try:
                refused = await work
                if refused is not None:
                    await self.router.post([refused.reply])
            except Exception as exc:
                log.error("a Slack form failed after it closed: %s", type(exc).__name__)

        task = asyncio.create_task(finish())
        self._late.add(task)
        task.add_done_callback(self._late.discard)
