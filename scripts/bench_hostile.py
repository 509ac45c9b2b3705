"""Replay a bounded attack mix against ``aikg serve`` on loopback and say what got through.

The server runs as its own process on a fresh empty store (``--allow-update``,
so write attacks have something to aim at). A listener on 127.0.0.1 is the
target of every SERVICE and LOAD spelling: any connection it accepts is an
outbound request the server made. The mix (federation and LOAD spellings,
nesting and UNION bombs, cartesian memory eaters, foreign Host values,
cross-origin writes, malformed requests) is sent by ``--clients`` concurrent
clients, ``--requests`` in all, within ``--seconds``. Benign ASK latency is
measured before and during the attack; the ratio is the cost of the attack
to everyone else.

    python scripts/bench_hostile.py                       # 1,200 requests, 50 clients
    python scripts/bench_hostile.py --requests 300 --clients 10
"""
import argparse
import concurrent.futures as cf
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """Counts connections to a loopback port nothing should ever reach."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port, self.count, self._stop = self.sock.getsockname()[1], 0, False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.count += 1
            conn.close()

    def close(self):
        self._stop = True
        self.sock.close()


def raw(port: int, request: bytes, timeout: float = 60) -> int:
    """Send one raw HTTP request; its status (0: no answer, connection dropped or timed out)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(request)
            head = s.recv(64)
    except OSError:
        return 0
    try:
        return int(head.split()[1])
    except (IndexError, ValueError):
        return 0


def form(path: str, field: str, text: str, *, host: str = "127.0.0.1", extra: str = "") -> bytes:
    body = urllib.parse.urlencode({field: text}).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def attacks(target: str) -> list[tuple[str, bytes]]:
    values = " ".join(str(i) for i in range(1500))
    cartesian = f"SELECT * {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} }} ORDER BY ?c"
    services = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                f"PREFIX : <{target}> SELECT * WHERE {{ SERVICE:x{{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ sErViCe#c\n<{target}> {{ ?s ?p ?o }} }}",
                f"SELECT * {{ {{ SELECT * {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }} }} }}"]
    updates = [f"LOAD <{target}x.ttl>", f"PREFIX : <{target}> LOAD:x",
               f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"]
    mix = [(f"service-{i}", form("/query", "query", q)) for i, q in enumerate(services)]
    mix += [(f"load-{i}", form("/update", "update", u)) for i, u in enumerate(updates)]
    mix += [("nesting", form("/query", "query", "SELECT * WHERE " + "{" * 6000 + "}" * 6000)),
            ("unions", form("/query", "query", "SELECT * WHERE { " + " UNION ".join(["{}"] * 12000) + " }")),
            ("cartesian", form("/query", "query", cartesian)),
            ("rebinding", form("/query", "query", "ASK {}", host="rebind.example")),
            ("cross-origin-write", form("/update", "update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                        extra="Origin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\n")),
            ("params", ("GET /query?query=ASK%7B%7D&" + "&".join(f"p{i}=1" for i in range(300))
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()),
            ("negative-length", b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                b"Content-Type: application/sparql-query\r\nContent-Length: -1\r\n\r\nASK{}"),
            ("bad-graph-uri", b"GET /query?query=ASK%7B%7D&default-graph-uri=not%20an%20iri HTTP/1.1\r\n"
                              b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")]
    return mix


def children_peak_kb(pid: int) -> int:
    """Largest VmHWM (peak resident set) among the server's child processes alive now."""
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError, IndexError):
            continue
    return peak


def ask_latency(port: int, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        raw(port, b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1200)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=600, help="stop sending after this long")
    ap.add_argument("--memory-mb", type=int, default=300, help="the server's per-query memory bound")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="aikg-hostile-"))
    store, port, listener = work / "store", free_port(), Listener()
    env = {**os.environ, "AIKG_QUERY_MEMORY_MB": str(args.memory_mb)}
    subprocess.run([sys.executable, "-m", "aikg", "--store", str(store), "init", "--empty"], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    server = subprocess.Popen([sys.executable, "-m", "aikg", "--store", str(store), "serve", "--port", str(port),
                               "--allow-update", "--timeout", "10"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while raw(port, b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 2) != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.2)
        before = ask_latency(port, 20)
        mix = attacks(f"http://127.0.0.1:{listener.port}/")
        rng = random.Random(11)
        plan = [rng.choice(mix) for _ in range(args.requests)]
        stop_at = time.monotonic() + args.seconds
        statuses: dict[str, dict[int, int]] = {}
        peak = [0]
        during: list[float] = []

        def send(item):
            name, request = item
            if time.monotonic() > stop_at:
                return name, None
            return name, raw(port, request)

        def watch():
            while not done.is_set():
                peak[0] = max(peak[0], children_peak_kb(server.pid))
                during.extend(ask_latency(port, 1))
                done.wait(0.2)

        done = threading.Event()
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        with cf.ThreadPoolExecutor(args.clients) as pool:
            for name, status in pool.map(send, plan):
                if status is not None:
                    statuses.setdefault(name, {}).setdefault(status, 0)
                    statuses[name][status] += 1
        done.set()
        watcher.join()
        elapsed = time.monotonic() - started
        time.sleep(0.5)
        alive = raw(port, b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 30) == 200
    finally:
        server.terminate()
        server.wait(20)
        listener.close()

    sent = sum(sum(by.values()) for by in statuses.values())
    print(f"{'attack':<20} statuses")
    for name in sorted(statuses):
        print(f"{name:<20} " + ", ".join(f"{s or 'none'}: {n}" for s, n in sorted(statuses[name].items())))
    five = sum(n for by in statuses.values() for s, n in by.items() if s >= 500)
    print(f"requests: {sent} in {elapsed:.1f} s from {args.clients} clients")
    print(f"5xx: {five} (503 = a query stopped at its bound or no worker free; see the table)")
    print(f"outbound connection attempts: {listener.count}")
    print(f"peak worker memory: {peak[0] / 1024:.0f} MB (bound per query: {args.memory_mb} MB)")
    b, d = statistics.median(before), statistics.median(during or before)
    print(f"benign ASK median: {b * 1000:.1f} ms before, {d * 1000:.1f} ms during ({d / b:.1f}x)")
    print(f"server still answering: {'yes' if alive else 'NO'}")
    if listener.count or not alive:
        sys.exit(1)


if __name__ == "__main__":
    main()
