"""The console adapter: one local room, the acting member switched with `as <name>`.

On a terminal it offers line editing and history; with input from a pipe it reads one message
per line, prints the replies and ends at end of input (or at `stop()`: SIGTERM, Ctrl-C).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.domain import Platform
from bot.i18n import DEFAULT_LOCALE, normalise_locale, translate
from bot.messages import Incoming, Reply, ReplyKind
from bot.ports.delivery import Dropped, Outgoing, SendResult, Sent
from bot.screening import screen_command
from bot.shutdown import unless_set

ROOM = "console"
Process = Callable[[Incoming], Awaitable[list[Reply]]]


def render(reply: Reply) -> str:
    """Plain text; mentions as @name, buttons as the commands they would run."""
    lines = [reply.text]
    if reply.mentions:
        lines.append("→ " + " ".join(f"@{m.display_name}" for m in reply.mentions))
    if reply.actions:
        lines.append("[" + " | ".join(f"{a.label}: {a.command}" for a in reply.actions) + "]")
    prefix = "! " if reply.kind is ReplyKind.ERROR else ""
    return prefix + "\n".join(lines)


class ConsoleSender:
    def __init__(self, out: TextIO, files_dir: Path | None = None) -> None:
        self._out = out
        self._files_dir = files_dir or Path("data") / "console-files"

    async def send(self, message: Outgoing) -> SendResult:
        reply = message.reply
        if reply.edit_of is not None:
            # A terminal cannot rewrite what it printed; the change itself was printed as
            # its own line, and `show` prints the case as it stands.
            return Sent()
        text = render(reply)
        for attachment in reply.attachments:
            # A terminal cannot show a file: write it and show where it is.
            text += "\n📎 " + str(self._save(attachment.filename, attachment.data))
        try:
            self._out.write(text + "\n")
            self._out.flush()
        except OSError as exc:  # a closed or full terminal: nothing a retry would cure
            return Dropped(reason=f"console:{type(exc).__name__}")
        return Sent()

    def _save(self, filename: str, data: bytes) -> Path:
        self._files_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._files_dir / Path(filename).name  # never a path from the message
        # Files the bot hands over (reports, calendars) are for their owner's eyes only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(path, 0o600)  # an older file of the same name keeps its mode otherwise
        return path.resolve()


class ConsoleAdapter:
    def __init__(
        self,
        process: Process,
        *,
        user: str,
        locale: str | None,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self._process = process
        self._files_dir = files_dir
        self.user = user
        self._locale = locale
        self._in = stdin or sys.stdin
        self._out = out or sys.stdout
        if isinstance(self._in, io.TextIOWrapper):
            # Bytes that are no UTF-8 (`\xff` from a pipe) arrive as lone surrogates, which
            # the core refuses with one line, instead of ending the console with a traceback.
            self._in.reconfigure(errors="surrogateescape")
        self._stopped = asyncio.Event()

    def sender(self) -> ConsoleSender:
        return ConsoleSender(self._out, self._files_dir)

    async def handle_line(self, line: str) -> None:
        text = line.strip()
        if not text or text.startswith("#!"):
            return
        if text.lower().startswith("as ") or text.lower().startswith("som "):
            user = text.split(None, 1)[1].strip().lstrip("@")
            screened = screen_command(user)
            if screened is not None:  # never printed back: it may be a CPR number
                locale = normalise_locale(self._locale or DEFAULT_LOCALE)
                self._out.write("! " + translate(locale, screened.key) + "\n")
                return
            self.user = user
            self._out.write(f"({self.user})\n")
            return
        await self._process(
            Incoming(
                platform=Platform.CONSOLE,
                room=ROOM,
                sender=self.user,
                text=text,
                locale=self._locale,
                display_name=self.user,
            )
        )

    async def run(self) -> None:
        """Until end of input or `stop()`. Lines are read off the event loop, so reminders
        and escalations due meanwhile are still posted while the console waits."""
        interactive = self._in.isatty()
        if interactive:
            import readline  # line editing and history, on a terminal only

            # History stays in memory: a history file would keep case text on disk in plaintext.
            readline.set_history_length(500)
            self._out.write(
                "psp-bot console — `help` lists the commands, `as <name>` switches user, "
                "Ctrl-D ends.\n"
            )
        try:
            while (line := await self._next_line(interactive)) is not None:
                await self.handle_line(line)
        finally:
            if interactive:
                readline.clear_history()

    async def stop(self) -> None:
        """Read no further line; a line being handled finishes first (`run` awaits it)."""
        self._stopped.set()

    async def _next_line(self, interactive: bool) -> str | None:
        """The next line, or None at end of input or once stopped."""
        if self._stopped.is_set():
            return None
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            text: str | None
            try:
                # An empty line on a terminal is "", a pipe's end of input is "".
                text = input(f"{self.user}> ") if interactive else (self._in.readline() or None)
            except EOFError:
                text = None
                self._out.write("\n")
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                loop.call_soon_threadsafe(_settle, line, text)

        # A daemon thread: a read still blocked on the terminal must not hold up the exit.
        threading.Thread(target=read, name="console-input", daemon=True).start()
        return await unless_set(self._stopped, line)


def _settle(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)
