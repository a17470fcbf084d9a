"""Uploaded workbooks and error reports carry ID numbers in clear, so they are stored sealed
with the same field cipher as the registry (AES-256-GCM, core.crypto)."""

import base64

from yiyang.core import crypto


def seal(data: bytes) -> bytes:
    return crypto.encrypt(base64.b64encode(data).decode("ascii")).encode("ascii")


def unseal(token: bytes | memoryview | None) -> bytes:
    if not token:
        return b""
    return base64.b64decode(crypto.decrypt(bytes(token).decode("ascii")))
