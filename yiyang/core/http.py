"""What a request says about where it came from, read in one place."""

import ipaddress

from django.conf import settings


def _address(raw: str) -> str | None:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: the peer (REMOTE_ADDR), or, when the deployment names the header
    its own proxy sets (`CLIENT_IP_HEADER`, off by default), the address that proxy vouches
    for. Of a list (X-Forwarded-For) only the last entry is read: the one our proxy appended;
    anything before it came from the client and could be forged."""
    if request is None:
        return None
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        raw = request.headers.get(header, "")
        forwarded = _address(raw.split(",")[-1]) if raw else None
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None
