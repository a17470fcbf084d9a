"""What a request says about where it came from, read in one place."""


def client_ip(request) -> str | None:
    """The peer address. X-Forwarded-For is not trusted here: a proxy in front must set
    REMOTE_ADDR itself (e.g. gunicorn's --forwarded-allow-ips), or anyone could forge it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
