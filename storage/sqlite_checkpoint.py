"""WAL checkpoints of an SQLite file on a thread of their own, not in a command's commit.

With SQLite's defaults the commit that takes the write-ahead log past 1,000 pages copies them
back into the database file and syncs it, inline: on the event loop, every 70 commands or so,
a command's commit took 5 ms instead of 0.07 ms (the p99 of every command), and on a slow
disk the whole bot waited for its two syncs. Here one thread per file and process checkpoints
in SQLite's PASSIVE mode (it never waits for, nor blocks, a reader or a writer) after every
`COMMITS_PER_CHECKPOINT` commits. sqlite3 lets go of the GIL while SQLite works, so on a
second core this costs the event loop nothing.

Only commits count, not time: once every page is copied back, the next write starts the log
afresh and syncs its header, on the event loop. Checkpointing after every pause would make
each command of a quiet hour pay that sync; after 64 commits it is one command in 64, where
SQLite's own checkpoints (every 70 or so) paid it as well as theirs.

A commit still checkpoints by itself once the log holds `SAFETY_NET_PAGES` pages (40 MB):
should the thread fall behind, or not run, the log stays bounded as before.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

COMMITS_PER_CHECKPOINT = 64
SAFETY_NET_PAGES = 10_000
THREAD_PREFIX = "psp-sqlite-checkpoint"


class Checkpointer:
    """The checkpoint thread of one database file, shared by the connections that use it;
    it ends when the last of them is closed."""

    def __init__(self, database: str, *, uri: bool) -> None:
        self._database = database
        self._uri = uri
        self._users = 0
        self._commits = 0
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Called after each commit (on the event loop: only a counter and, now and then, a
        wake-up)."""
        self._commits += 1
        if self._commits >= COMMITS_PER_CHECKPOINT:
            self._commits = 0
            self._wake.set()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(
                self._database, uri=self._uri, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            log.warning("sqlite checkpoints: cannot open the database (%s); commits do them", error)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # busy with another process's checkpoint: later
                    log.debug("sqlite checkpoint skipped: %s", error)
        finally:
            conn.close()


class _Registry:
    """One checkpointer per database file in this process."""

    def __init__(self) -> None:
        # Reentrant: a connection collected unclosed releases from inside the garbage
        # collector, which may run in the middle of an acquire.
        self._lock = threading.RLock()
        self._by_file: dict[tuple[str, bool], Checkpointer] = {}

    def acquire(self, database: str, *, uri: bool) -> Checkpointer:
        with self._lock:
            found = self._by_file.get((database, uri))
            if found is not None and not found._stopping:
                found._users += 1  # before anything else: nothing may release it now
                return found
            found = Checkpointer(database, uri=uri)
            found._users += 1
            self._by_file[(database, uri)] = found
            found._thread = threading.Thread(
                target=found._run, name=f"{THREAD_PREFIX}-{len(self._by_file)}", daemon=True
            )
            found._thread.start()
            return found

    def running(self, database: str, *, uri: bool = False) -> Checkpointer | None:
        return self._by_file.get((database, uri))

    def release(self, checkpointer: Checkpointer) -> None:
        with self._lock:
            checkpointer._users -= 1
            if checkpointer._users > 0:
                return
            checkpointer._stopping = True
            checkpointer._wake.set()
            key = (checkpointer._database, checkpointer._uri)
            if self._by_file.get(key) is checkpointer:
                del self._by_file[key]
        # Wait for the thread's connection to close, as closing the last connection always
        # made the caller wait: that close copies the log back and deletes it by its path.
        # Done later, it could delete the log of a database put in the file's place since
        # (a restore).
        thread = checkpointer._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


CHECKPOINTERS = _Registry()


def in_memory(database: str) -> bool:
    """No file, so no write-ahead log to checkpoint."""
    return database in ("", ":memory:") or "mode=memory" in database
