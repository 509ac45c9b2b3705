"""Who may talk to the server: the Host it answers and the writes it takes.

A browser page can reach a loopback server in two ways the server must not
answer. DNS rebinding: a name the attacker controls resolves to 127.0.0.1,
so the page is same-origin with the server under that name; the Host header
still carries the name, so only Host values naming the bound address (or
names the user lists) are answered. Cross-site writes: a plain form POST or
a ``no-cors`` fetch sends a "simple" request without asking first; browsers
mark those with ``Origin`` and ``Sec-Fetch-Site``, so a write from a browser
must be same-origin, and a server with a token takes writes only with it.
"""
import hmac
import ipaddress
import urllib.parse

__all__ = ["host_allowed", "write_refusal", "LOOPBACK_NAMES"]

LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def _split_host(value: str) -> str | None:
    """The host name of a Host header value, lower-cased, without port or brackets.

    >>> _split_host("[::1]:7878"), _split_host("LocalHost:80"), _split_host("a b")
    ('::1', 'localhost', None)
    """
    value = value.strip()
    if not value or any(c in value for c in " /\\@?#"):
        return None
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name.lower() if not rest or rest.startswith(":") else None
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


def _ip(name: str):
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def host_allowed(host_header: str | None, bound: str, names=()) -> bool:
    """Whether a request's Host names this server (bound to address ``bound``).

    >>> host_allowed("127.0.0.1:7878", "127.0.0.1"), host_allowed("localhost:7878", "127.0.0.1")
    (True, True)
    >>> host_allowed("evil.example:7878", "127.0.0.1"), host_allowed("evil.example", "127.0.0.1", ["evil.example"])
    (False, True)
    >>> host_allowed("10.0.0.7", "127.0.0.1"), host_allowed("10.0.0.7", "0.0.0.0"), host_allowed(None, "127.0.0.1")
    (False, True, False)
    """
    name = _split_host(host_header or "")
    if name is None:
        return False
    if name in {n.lower() for n in names}:
        return True
    ip, bound_ip = _ip(name), _ip(bound)
    if bound_ip is not None and bound_ip.is_unspecified:
        return ip is not None or name in LOOPBACK_NAMES  # an address literal cannot be rebound
    if ip is not None:
        return ip == bound_ip or (ip.is_loopback and bound_ip is not None and bound_ip.is_loopback)
    return (name in LOOPBACK_NAMES and bound_ip is not None and bound_ip.is_loopback) or name == bound.lower()


def write_refusal(headers, token: str | None) -> str | None:
    """Why a write must be refused (None: take it). ``headers`` is the request's header mapping."""
    if token is not None:
        given = headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return "updates need the server's token (Authorization: Bearer ...)"
        return None
    site = (headers.get("Sec-Fetch-Site") or "").lower()
    if site and site not in ("same-origin", "none"):
        return f"cross-site writes are refused (Sec-Fetch-Site: {site})"
    origin = headers.get("Origin")
    if origin is not None:
        parts = urllib.parse.urlsplit(origin)
        if origin == "null" or parts.netloc.lower() != (headers.get("Host") or "").lower():
            return f"cross-origin writes are refused (Origin: {origin[:100]})"
    return None
