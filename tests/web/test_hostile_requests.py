"""Requests no HTTP client library would send, written byte by byte to a real server.

Path tricks around the API key, oversized and slow request heads, bytes that are not UTF-8:
each is refused in the documented JSON error shape, and none reaches a run without the key.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from tests.support.servers import RunningServer, running_server

API_KEY = "hostile-requests-key"
SECRET = "context-only-the-key-may-read"
MAX_HEADER_BYTES = 8192
HEADER_TIMEOUT_SECONDS = 2


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after answering

    def error(self) -> dict[str, object]:
        """The body, checked to be the contract's error shape."""
        assert self.headers["content-type"] == "application/json", self
        body: dict[str, object] = orjson.loads(self.body)
        assert set(body) >= {"error", "message", "timestamp", "path"}, body
        return body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "TOTRACKIT_API_KEY": API_KEY,
        "TOTRACKIT_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
        "TOTRACKIT_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_SECONDS),
    }
    with running_server(data_dir=tmp_path_factory.mktemp("hostile"), command="api", env=env) as api:
        created = httpx.post(
            api.url + "/processes/orders",
            headers={"X-API-KEY": API_KEY},
            json={"id": "run-1", "context": {"secret": SECRET}},
        )
        assert created.status_code == 201, created.text
        yield api


def connect(server: RunningServer) -> socket.socket:
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port))
    sock.settimeout(HEADER_TIMEOUT_SECONDS * 10)  # only a server that never answers hits this
    return sock


def read_response(sock: socket.socket, *, then_closed: bool = True) -> RawResponse:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed without an answer after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk, "the connection closed in the middle of the body"
        body += chunk
    closed = False
    if then_closed:
        try:
            closed = sock.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            closed = True
    return RawResponse(int(status_line.split()[1]), headers, body, closed)


def send_raw(server: RunningServer, request: bytes) -> RawResponse:
    with connect(server) as sock:
        sock.sendall(request)
        return read_response(sock)


def get(target: bytes, *headers: bytes) -> bytes:
    return (
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: x\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + (b"Connection: close\r\n\r\n")
    )


PATH_TRICKS = [
    b"//processes",
    b"//processes/orders/run-1",
    b"/processes/../processes",
    b"/./processes",
    b"/x/../processes/orders/run-1",
    b"/health/../processes/orders/run-1",
    b"/assets/../processes/orders/run-1",
    b"/%70rocesses/orders/run-1",
    b"/processes%2Forders%2Frun-1",
    b"/processes/orders%2Frun-1",
    b"/Processes/orders/run-1",
    b"/PROCESSES",
    b"/processes.",
    b"/processes./orders/run-1",
    b"/processes%2e/orders/run-1",
    b"/processes;/orders/run-1",
    b"/processes%00/orders/run-1",
    b"/processes/orders/run-1/",
    b"/processes/orders/run-1.",
    b"/processes/orders/run-1%20",
    b"/processes/?",
    b"/processes#/orders",
    b"http://x/processes/orders/run-1",
    b"/imports/../processes/orders/run-1",
    b"/imports",
]


@pytest.mark.parametrize("target", PATH_TRICKS, ids=lambda t: t.decode())
@pytest.mark.parametrize("key", [None, b"wrong-key"], ids=["no key", "wrong key"])
def test_no_spelling_of_a_path_reaches_a_run_without_the_key(
    server: RunningServer, target: bytes, key: bytes | None
) -> None:
    headers = [b"X-API-KEY: " + key] if key else []
    response = send_raw(server, get(target, *headers))

    assert response.status in {401, 404, 405}, response
    assert response.error()["error"] in {"UNAUTHORIZED", "NOT_FOUND", "METHOD_NOT_ALLOWED"}
    assert SECRET.encode() not in response.body


def test_the_key_still_reads_the_run_the_tricks_aimed_at(server: RunningServer) -> None:
    response = send_raw(server, get(b"/processes/orders/run-1", b"X-API-KEY: " + API_KEY.encode()))
    assert response.status == 200
    assert SECRET.encode() in response.body


def test_a_key_sent_twice_or_in_another_case_is_read_once(server: RunningServer) -> None:
    header_case = send_raw(
        server, get(b"/processes/orders/run-1", b"x-Api-KeY: " + API_KEY.encode())
    )
    assert header_case.status == 200  # header names are case-insensitive (RFC 9110)

    wrong_first = send_raw(
        server,
        get(b"/processes/orders/run-1", b"X-API-KEY: wrong", b"X-API-KEY: " + API_KEY.encode()),
    )
    assert wrong_first.status == 401
    assert SECRET.encode() not in wrong_first.body


def test_headers_over_the_limit_are_a_431_before_they_are_buffered(server: RunningServer) -> None:
    big = send_raw(server, get(b"/health/live", b"X-Big: " + b"a" * (MAX_HEADER_BYTES * 4)))
    many = send_raw(
        server, get(b"/health/live", *(b"X-H%d: v" % i for i in range(MAX_HEADER_BYTES)))
    )

    for response in (big, many):
        assert response.status == 431
        body = response.error()
        assert body["error"] == "HEADERS_TOO_LARGE"
        assert "TOTRACKIT_MAX_HEADER_BYTES" in str(body["message"])
        assert response.closed


def test_a_url_over_the_limit_is_a_414(server: RunningServer) -> None:
    response = send_raw(server, get(b"/processes?name=" + b"n" * (MAX_HEADER_BYTES + 1)))

    assert response.status == 414
    assert response.error()["error"] == "URI_TOO_LONG"
    assert response.closed


def test_a_head_just_under_the_limit_is_served(server: RunningServer) -> None:
    request = get(b"/health/live", b"X-Pad: ")
    padding = MAX_HEADER_BYTES - len(request) - 64  # the request line and headers, counted loosely
    response = send_raw(server, get(b"/health/live", b"X-Pad: " + b"p" * padding))

    assert response.status == 200


def test_a_client_that_sends_its_head_too_slowly_gets_a_408_and_is_disconnected(
    server: RunningServer,
) -> None:
    with connect(server) as slow:
        slow.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        # Meanwhile other clients are served.
        assert httpx.get(server.url + "/health/live").status_code == 200

        response = read_response(slow)

    assert response.status == 408
    body = response.error()
    assert body["error"] == "REQUEST_TIMEOUT"
    assert "TOTRACKIT_HEADER_TIMEOUT_SECONDS" in str(body["message"])
    assert response.closed


def test_a_connection_that_never_sends_a_byte_is_closed(server: RunningServer) -> None:
    with connect(server) as idle:
        assert idle.recv(1) == b""  # closed without an answer: nothing was asked


def test_a_head_that_arrives_in_pieces_within_the_limit_is_served(server: RunningServer) -> None:
    with connect(server) as sock:
        for piece in (
            b"GET /health/live HTT",
            b"P/1.1\r\nHo",
            b"st: x\r\nConnection: close\r\n",
            b"\r\n",
        ):
            sock.sendall(piece)
            time.sleep(HEADER_TIMEOUT_SECONDS / 10)
        response = read_response(sock)

    assert response.status == 200


def test_a_keep_alive_connection_serves_a_second_request_after_the_first(
    server: RunningServer,
) -> None:
    # The head timer is per request: the second, trickled in after a pause, gets its own time
    # although the connection is older than the limit by then.
    with connect(server) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock, then_closed=False).status == 200
        time.sleep(HEADER_TIMEOUT_SECONDS * 0.6)
        sock.sendall(b"GET /health/live HTTP/1.1\r\n")
        time.sleep(HEADER_TIMEOUT_SECONDS * 0.6)
        sock.sendall(b"Host: x\r\n\r\n")
        assert read_response(sock, then_closed=False).status == 200


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /processes/orders/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"NOT-HTTP\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Name: v\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST /processes/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    ],
    ids=[
        "bytes outside ASCII in the path",
        "no request line",
        "space in a header name",
        "two content lengths",
        "a broken chunk",
    ],
)
def test_a_request_the_parser_cannot_read_is_a_400_in_the_error_shape(
    server: RunningServer, request_bytes: bytes
) -> None:
    response = send_raw(server, request_bytes)

    assert response.status == 400
    assert response.error()["error"] == "MALFORMED_REQUEST"
    assert response.closed


def post_json(body: bytes) -> bytes:
    return (
        b"POST /processes/orders HTTP/1.1\r\nHost: x\r\nX-API-KEY: "
        + API_KEY.encode()
        + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % len(body)
        + body
    )


@pytest.mark.parametrize(
    "body",
    [b'{"id":"utf8-1","tags":["a:\xff\xfe"]}', b'{"id":"utf8-\xc3\x28"}'],
    ids=["invalid bytes", "a truncated sequence"],
)
def test_a_body_that_is_not_utf8_is_a_400_on_the_body(server: RunningServer, body: bytes) -> None:
    response = send_raw(server, post_json(body))

    assert response.status == 400
    details = response.error()["details"]
    assert details == [
        {
            "field": "body",
            "message": "Malformed JSON request body: not valid UTF-8",
            "rejected_value": None,
        }
    ]


@pytest.mark.parametrize(
    "body", [b'{"id":"\xed\xa0\x80ab"}', b'{"id":"\\ud800ab"}'], ids=["as bytes", "as an escape"]
)
def test_half_a_surrogate_pair_is_a_400_on_its_field_echoed_as_an_escape(
    server: RunningServer, body: bytes
) -> None:
    response = send_raw(server, post_json(body))

    assert response.status == 400
    (detail,) = response.error()["details"]  # type: ignore[misc]
    assert detail["field"] == "id"
    assert detail["rejected_value"] == "\\ud800ab"


def test_a_path_with_percent_encoded_bytes_that_are_not_utf8_reads_as_replacement_characters(
    server: RunningServer,
) -> None:
    response = send_raw(server, get(b"/processes/orders/%FF%FE", b"X-API-KEY: " + API_KEY.encode()))

    assert response.status == 404
    assert response.error()["error"] == "PROCESS_NOT_FOUND"
    assert "\ufffd\ufffd" in orjson.loads(response.body)["path"]


def test_the_refusals_are_logged_with_their_reason(server: RunningServer) -> None:
    send_raw(server, get(b"/health/live", b"X-Big: " + b"a" * (MAX_HEADER_BYTES * 2)))
    log = Path(server.log).read_text()

    assert "Refused a request: The request line and headers exceed 8192 bytes" in log
