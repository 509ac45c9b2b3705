"""The server answers only its own Host and takes only same-origin (or token) writes (issue 11, item 2)."""
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from aikg.cli import main
from aikg.server.endpoint import SparqlServer

CHROMIUM = Path("/usr/bin/chromium")
FOREIGN_HOSTS = ["evil.example", "evil.example:7878", "127.0.0.1.nip.io", "localhost.evil.example", "10.0.0.7"]


def call(url, *, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def insert(server, label: str, **headers):
    data = urllib.parse.urlencode({"update": f"INSERT DATA {{ GRAPH <urn:t> {{ <urn:x> <urn:label> '{label}' }} }}"})
    return call(server.url + "update", data=data.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})


def stored(server, label: str) -> bool:
    query = urllib.parse.urlencode({"query": f"ASK {{ ?s <urn:label> '{label}' }}"})
    return json.loads(call(server.url + "query?" + query)[1])["boolean"]


@pytest.fixture
def rw(empty_store_path):
    with SparqlServer(empty_store_path, port=0, allow_update=True, allow_hosts=["aikg.lan"]) as srv:
        yield srv


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_is_refused(rw, host):
    status, body = call(rw.url + "query?query=ASK%7B%7D", headers={"Host": host})
    assert status == 403 and b"own host names" in body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "aikg.lan"])
def test_own_and_listed_hosts_are_answered(rw, host):
    assert call(rw.url + "query?query=ASK%7B%7D", headers={"Host": f"{host}:{rw.port}"})[0] == 200


def test_cross_origin_writes_are_refused_and_write_nothing(rw):
    assert insert(rw, "a", Origin="http://evil.example")[0] == 403
    assert insert(rw, "b", **{"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert insert(rw, "c", Origin="null")[0] == 403
    assert not any(stored(rw, x) for x in "abc")


def test_same_origin_and_non_browser_writes_are_taken(rw):
    assert insert(rw, "d", Origin=f"http://127.0.0.1:{rw.port}", **{"Sec-Fetch-Site": "same-origin"})[0] == 204
    assert insert(rw, "e")[0] == 204  # curl, SPARQLWrapper: no browser markers
    assert stored(rw, "d") and stored(rw, "e")


def test_with_a_token_writes_need_it(empty_store_path):
    with SparqlServer(empty_store_path, port=0, allow_update=True, token="s3cret") as srv:
        assert insert(srv, "f")[0] == 403
        assert insert(srv, "g", Authorization="Bearer wrong")[0] == 403
        assert insert(srv, "h", Authorization="Bearer s3cret")[0] == 204
        assert not stored(srv, "f") and not stored(srv, "g") and stored(srv, "h")


def test_exposed_update_server_needs_a_token(empty_store_path):
    result = CliRunner().invoke(main, ["--store", str(empty_store_path), "serve", "--host", "0.0.0.0",
                                       "--allow-update"], env={"AIKG_SERVE_TOKEN": ""})
    assert result.exit_code == 2 and "AIKG_SERVE_TOKEN" in result.output


# -- in Chromium ------------------------------------------------------------------------

@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--host-resolver-rules=MAP rebind.test 127.0.0.1"])
        yield browser
        browser.close()


@pytest.mark.browser
def test_dns_rebinding_page_reads_nothing(chromium, rw):
    page = chromium.new_page()
    response = page.goto(f"http://rebind.test:{rw.port}/")  # the name now resolves to the server
    assert response.status == 403
    status = page.evaluate("fetch('/query?query=' + encodeURIComponent('ASK {}')).then(r => r.status)")
    assert status == 403


def attacker_page(chromium, html):
    """A page from another origin on loopback (another port), as a local attacker site would be."""
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html.encode())

        def log_message(self, *args):
            pass

    site = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    page = chromium.new_page()
    page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
    page.site = site
    return page


@pytest.mark.browser
def test_cross_origin_form_post_writes_nothing(chromium, rw):
    update = "INSERT DATA { GRAPH <urn:t> { <urn:x> <urn:label> 'form' } }"
    page = attacker_page(chromium, f"""<form method=post action="{rw.url}update">
        <input name=update value="{update}"></form><script>document.forms[0].submit()</script>""")
    page.wait_for_url(rw.url + "update")
    assert "cross-site writes are refused" in page.content()
    assert not stored(rw, "form")
    page.site.shutdown()


@pytest.mark.browser
def test_no_cors_fetch_writes_nothing_but_same_origin_does(chromium, rw):
    script = """([url, label]) => fetch(url, {method: 'POST', mode: 'no-cors',
        body: new URLSearchParams({update: `INSERT DATA { GRAPH <urn:t> { <urn:x> <urn:label> '${label}' } }`})})
        .then(() => 'sent')"""
    page = attacker_page(chromium, "<p>hello</p>")
    assert page.evaluate(script, [rw.url + "update", "nocors"]) == "sent"
    assert not stored(rw, "nocors")
    page.site.shutdown()
    own = chromium.new_page()  # the control: the server's own page may write
    own.goto(rw.url)
    own.evaluate(script, [rw.url + "update", "own"])
    assert stored(rw, "own")


# -- malformed and idle requests (issue 11, item 11) ---------------------------------------

def raw(server, request: bytes, wait: float = 10) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as s:
        s.sendall(request)
        try:
            return s.recv(200)
        except (TimeoutError, socket.timeout):
            return b"(no answer)"


@pytest.fixture
def ro(empty_store_path):
    with SparqlServer(empty_store_path, port=0, workers=1, idle_timeout=1) as srv:
        yield srv


def test_malformed_requests_are_400_not_hangs_or_500s(ro):
    many = "&".join(f"p{i}=1" for i in range(300))
    host = b"Host: 127.0.0.1\r\n"
    assert raw(ro, f"GET /query?query=ASK%7B%7D&{many} HTTP/1.1\r\n".encode() + host + b"\r\n").startswith(
        b"HTTP/1.1 400")
    assert raw(ro, b"POST /query HTTP/1.1\r\n" + host + b"Content-Type: application/sparql-query\r\n"
               b"Content-Length: -1\r\n\r\nASK{}").startswith(b"HTTP/1.1 400")
    assert raw(ro, b"GET /query?query=ASK%7B%7D&default-graph-uri=not%20an%20iri HTTP/1.1\r\n" + host
               + b"\r\n").startswith(b"HTTP/1.1 400")


def test_an_idle_connection_is_closed(ro):
    assert raw(ro, b"", wait=5) == b""  # closed by the server after its idle timeout, not held open


def test_the_listen_backlog_takes_a_burst(ro):
    assert ro._http.request_queue_size >= 128
