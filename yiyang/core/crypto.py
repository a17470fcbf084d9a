"""Field encryption for national ID numbers and the keyed hash that makes them searchable.

AES-256-GCM with a random nonce per value; the search hash is HMAC-SHA256 under a separate key.
Both keys derive from FIELD_ENCRYPTION_KEY with HKDF, so one secret is configured and the two
uses can never share a key. The "v1:" prefix leaves room for key rotation.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be base64") from exc
    if len(master) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must hold at least 32 bytes")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"yiyang field cipher"), derive(b"yiyang search hash")


def _cipher_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def _hash_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[1]


def encrypt(plain: str, *, aad: bytes = b"") -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_cipher_key()).encrypt(nonce, plain.encode("utf-8"), aad)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, aad: bytes = b"") -> str:
    if not token.startswith(PREFIX):
        raise ValueError("unknown cipher version")
    raw = base64.b64decode(token[len(PREFIX) :])
    return AESGCM(_cipher_key()).decrypt(raw[:12], raw[12:], aad).decode("utf-8")


def search_hash(value: str) -> str:
    return hmac.new(_hash_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()
