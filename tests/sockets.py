"""A loopback socket nothing should ever connect to, and a count of the connections it saw."""
import socket


def quiet_listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.5)
    return sock


def connections(sock) -> int:
    """The connections waiting on ``sock`` (each accepted and closed)."""
    n = 0
    while True:
        try:
            conn, _ = sock.accept()
        except (TimeoutError, socket.timeout):
            return n
        n += 1
        conn.close()
