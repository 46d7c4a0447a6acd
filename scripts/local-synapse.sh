#!/usr/bin/env bash
# A throwaway Matrix homeserver on 127.0.0.1 for trying psp-bot (not for real data).
#
# Starts Synapse (from the dev extras) in data/local-synapse, registers the bot and two test
# users, writes a bot config and prints how to log in. Ctrl-C stops it; everything in
# data/local-synapse is thrown away on the next start.
#
#   make synapse            # or: scripts/local-synapse.sh [port]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
PORT=${1:-8008}
DIR=data/local-synapse
rm -rf "$DIR"
mkdir -p "$DIR"
exec "$PYTHON" - "$DIR" "$PORT" <<'PY'
import secrets
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, ".")
from tests.synapse import Synapse

directory, port = Path(sys.argv[1]).resolve(), int(sys.argv[2])
server = Synapse(directory / "synapse", port=port)
server.start()
bot, bot_password, _ = server.register("pspbot")
alice, alice_password, _ = server.register("alice", admin=True)
bob, bob_password, _ = server.register("bob")
pickle_key = secrets.token_urlsafe(24)
config = directory / "config.toml"
config.write_text(
    f"""[bot]
locale = "en"
admins = ["matrix:{alice}"]
data_dir = "{directory / "bot-data"}"

[matrix]
homeserver = "{server.url}"
user_id = "{bot}"
store_dir = "{directory / "bot-store"}"
invite_allowlist_servers = ["{server.server_name}"]
""",
    encoding="utf-8",
)
env = directory / "bot.env"
env.write_text(
    f"export PSP_BOT_MATRIX_PASSWORD='{bot_password}'\n"
    f"export PSP_BOT_MATRIX_PICKLE_KEY='{pickle_key}'\n",
    encoding="utf-8",
)
env.chmod(0o600)
print(f"""
Synapse is running at {server.url} (started in {server.startup_seconds:.1f} s).

1. Start the bot in another terminal:
     source {env} && .venv/bin/psp-bot --config {config} run

2. Log in with a Matrix client (Element Desktop, or https://app.element.io with the
   homeserver set to {server.url}):
     {alice}  password {alice_password}   (bot admin)
     {bob}    password {bob_password}

3. As alice: create an encrypted room, invite {bot} and {bob}, then write
     !psp group setup Testgroup
     !psp member add {alice} police lead
     !psp member add {bob} social rep
     !psp flag acute Neighbour reports threats #threat

Ctrl-C stops the homeserver; it is thrown away on the next start.
""", flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    while server.running:
        time.sleep(1)
except (KeyboardInterrupt, SystemExit):
    pass
finally:
    server.stop()
PY
