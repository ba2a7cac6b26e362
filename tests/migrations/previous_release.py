"""The previous release's code, checked out beside this one in its own environment, for the
N-1 compatibility test (OPERATIONS.md G5: the old code keeps working on the new schema).

"Previous release" is the newest ``v*`` tag. Until there is one, it is the code from just before
the newest migration was added: the newest commit on the first-parent line before that one
whose own code passes the round trip on its own schema (a commit in the middle of a change,
one that fails even there, is no release and is passed over).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx

from tests.support.servers import running_server
from totrackit.db import migrate

REPO = Path(__file__).resolve().parents[2]
# How many commits before the newest migration are tried when the nearest ones are mid-change.
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Release:
    ref: str  # the tag, or the commit
    why: str  # how it was chosen, for failure messages
    root: Path  # the checked-out tree, with its own .venv

    @property
    def python(self) -> str:
        return str(self.root / ".venv" / "bin" / "python")


class NoHistory(Exception):
    """This tree is not a git checkout with the history the test needs (an sdist, a shallow
    clone)."""


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise NoHistory(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def candidates() -> Iterator[tuple[str, str, bool]]:
    """(ref, why, released) for each commit that may be the previous release, best first;
    ``released`` when a tag says so, otherwise the candidate must prove it works."""
    tags = git("tag", "--list", "v*", "--sort=-v:refname").split()
    if tags:
        yield tags[0], f"the newest release tag, {tags[0]}", True
        return
    scripts = migrate.revisions()
    newest = Path(scripts[-1].path).resolve().relative_to(REPO)
    if git("rev-parse", "--is-shallow-repository") == "true":
        raise NoHistory("a shallow clone: fetch the whole history (git fetch --unshallow)")
    added = git("log", "--diff-filter=A", "--format=%H", "--", str(newest)).split()
    # A migration not committed yet (being written) is newer than everything committed.
    start = f"{added[-1]}^" if added else "HEAD"
    before = git("rev-list", "--first-parent", f"-n{MAX_CANDIDATES}", start).split()
    for commit in before:
        yield commit, f"{commit[:10]}, the code before {newest.name} was added", False


def check_out(ref: str, into: Path) -> Path:
    """``ref``'s tree in ``into``, with its own locked dependencies installed in .venv."""
    archive = into.with_suffix(".tar")
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(REPO), "archive", ref], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    synced = subprocess.run(
        [*uv(), "sync", "--frozen", "--no-dev", "--quiet"],
        cwd=into,
        env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if synced.returncode != 0:
        raise RuntimeError(f"installing {ref}'s dependencies failed:\n{synced.stderr}")
    return into


def uv() -> list[str]:
    """The uv that installed this checkout (``make install`` puts it beside the interpreter the
    virtual environment was made from)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found:
        return [found]
    return [str(Path(sys.base_prefix) / "bin" / "python3"), "-m", "uv"]


async def round_trip(url: str) -> None:
    """Create, complete, list and get one run over HTTP, as a client of any release would."""
    name, run_id = f"n-1-{uuid4().hex[:8]}", "order-1"
    body = {
        "id": run_id,
        "deadline": 4_102_444_800,  # 2100-01-01
        "tags": [{"key": "country", "value": "DE"}],
        "context": {"customer": "C-1"},
    }
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        created = await client.post(f"/processes/{name}", json=body)
        assert created.status_code == 201, f"create: {created.status_code} {created.text}"
        completed = await client.put(
            f"/processes/{name}/{run_id}/complete", json={"status": "FAILED"}
        )
        assert completed.status_code == 200, f"complete: {completed.status_code} {completed.text}"
        listed = await client.get("/processes", params={"name": name})
        assert listed.status_code == 200, f"list: {listed.status_code} {listed.text}"
        assert [run["id"] for run in listed.json()["data"]] == [run_id]
        got = await client.get(f"/processes/{name}/{run_id}")
        assert got.status_code == 200, f"get: {got.status_code} {got.text}"
        run = got.json()
    assert (run["status"], run["deadline"], run["tags"], run["context"]) == (
        "FAILED",
        body["deadline"],
        body["tags"],
        body["context"],
    )
    assert run["completed_at"] is not None


@contextmanager
def serving(
    release: Release, database_url: str, data_dir: Path, *, own_schema: bool = False
) -> Iterator[str]:
    """``release``'s server process on ``database_url``; yields its URL. It migrates the
    database only when it is ``own_schema`` (its code does not know newer revisions)."""
    env = {
        "TOTRACKIT_DATABASE_URL": database_url,
        "TOTRACKIT_AUTO_MIGRATE": str(own_schema).lower(),
        "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",  # no load balancer to wait for
    }
    with running_server(
        data_dir=data_dir, env=env, python=release.python, other_version=True
    ) as server:
        yield server.url


def works_on_its_own_schema(release: Release, scratch: Path) -> str | None:
    """None when ``release`` passes the round trip on a database its own code migrated, else
    why not."""
    try:
        with serving(release, f"sqlite:///{scratch / 'own.db'}", scratch, own_schema=True) as url:
            asyncio.run(round_trip(url))
    except (AssertionError, RuntimeError, TimeoutError) as error:
        return str(error)[-2000:]
    return None


@contextmanager
def previous_release() -> Iterator[Release]:
    """The previous release, checked out in a temporary directory (removed afterwards)."""
    workdir = Path(tempfile.mkdtemp(prefix="totrackit-previous-"))
    try:
        rejected = []
        for ref, why, released in candidates():
            release = Release(ref, why, check_out(ref, workdir / ref))
            if released:
                yield release
                return
            problem = works_on_its_own_schema(release, workdir / f"{ref}-check")
            if problem is None:
                yield release
                return
            rejected.append(f"{ref[:10]}: {problem}")
            shutil.rmtree(workdir / ref, ignore_errors=True)
        raise AssertionError(
            f"none of the {len(rejected)} commits before the newest migration works on its own "
            "schema, so there is no previous release to test against; tag one (git tag v...):\n"
            + "\n".join(rejected)
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
