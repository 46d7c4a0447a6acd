"""Files the bot sends to Matrix rooms (meeting calendars, reports, minutes): each one an
`m.file` event after the reply's text.

In an encrypted room the file is encrypted before it leaves the bot (AES-256-CTR with a fresh
key, Matrix spec "Sending encrypted attachments"); the homeserver stores only ciphertext and
the event — itself end-to-end encrypted — carries `file` (the mxc URL with the key, IV and
SHA-256 hash), never a plain `url`. Only an unencrypted room (where the operator allowed one)
gets a plain upload."""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, UploadError, UploadResponse
from nio.crypto.attachments import encrypt_attachment

from bot.messages import Attachment
from bot.ports.delivery import Dropped, Retry, SendResult

log = logging.getLogger(__name__)

# Refusals of an upload that a retry cannot cure.
PERMANENT_UPLOAD_REFUSALS = frozenset({"M_TOO_LARGE", "M_FORBIDDEN"})


async def upload_file(
    client: AsyncClient,
    attachment: Attachment,
    *,
    encrypt: bool,
    network_errors: tuple[type[BaseException], ...],
) -> dict[str, Any] | SendResult:
    """The `m.file` content for one attachment, uploaded; or why it could not be."""
    data = attachment.data
    if encrypt:
        payload, keys = encrypt_attachment(data)
        media_type = "application/octet-stream"  # the server sees ciphertext, and says so
    else:
        payload, keys, media_type = data, {}, attachment.media_type
    try:
        answer, _none = await client.upload(
            lambda _429s, _timeouts: payload,
            content_type=media_type,
            filename=None if encrypt else attachment.filename,
            filesize=len(payload),
        )
    except network_errors as exc:
        log.warning("uploading a file to Matrix failed: %s", type(exc).__name__)
        return Retry(reason="network")
    if not isinstance(answer, UploadResponse):
        assert isinstance(answer, UploadError)
        code = str(answer.status_code or "unknown")
        log.warning("Matrix refused a file: %s", code)
        return Dropped(reason=code) if code in PERMANENT_UPLOAD_REFUSALS else Retry(reason=code)
    info = {"mimetype": attachment.media_type, "size": len(data)}
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": attachment.filename,
        "filename": attachment.filename,
        "info": info,
        "m.mentions": {},
    }
    if encrypt:
        content["file"] = {"url": answer.content_uri, "mimetype": attachment.media_type, **keys}
    else:
        content["url"] = answer.content_uri
    return content
