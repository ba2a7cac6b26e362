"""compose.coolify.yml comes up ready with its variables filled in the way Coolify fills them.

Coolify generates the magic variables on the first deploy: SERVICE_USER_* (16 random letters
and digits), SERVICE_PASSWORD_* (32), SERVICE_PASSWORD_64_* (64), SERVICE_URL_<NAME> (the
https URL of the resource) and SERVICE_FQDN_<NAME> (its host); required variables get the
value the file prefills. Then it runs the file with Compose, its proxy in front of `api`. Here
the proxy is left out: the stack publishes no port, so requests go from inside the network.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import (
    IMAGE,
    PREFIX,
    ROOT,
    Compose,
    assert_non_root,
    docker,
    inspect,
    package_version,
    run,
    wait_healthy,
)

pytestmark = pytest.mark.containers

NAME = "totrackit-ct-coolify"
PROJECT = f"{PREFIX}-coolify"
FILE = "compose.coolify.yml"


def random_string(length: int) -> str:
    """Like Coolify's Str::random / Str::password(symbols: false): letters and digits."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def coolify_variables() -> dict[str, str]:
    text = (ROOT / FILE).read_text()
    host = f"totrackit-{uuid.uuid4().hex[:24]}.coolify.example.com"
    prefilled = dict(re.findall(r"\$\{(\w+):\?([^}]+)\}", text))
    return {
        **prefilled,
        "SERVICE_USER_POSTGRES": random_string(16),
        "SERVICE_PASSWORD_POSTGRES": random_string(32),
        "SERVICE_PASSWORD_REDIS": random_string(32),
        "SERVICE_PASSWORD_64_APIKEY": random_string(64),
        "SERVICE_URL_TOTRACKIT": f"https://{host}",
        "SERVICE_FQDN_TOTRACKIT": host,
        "TOTRACKIT_IMAGE_NAME": NAME,
    }


@pytest.fixture(scope="module")
def variables() -> dict[str, str]:
    return coolify_variables()


@pytest.fixture(scope="module")
def stack(variables: dict[str, str]) -> Iterator[Compose]:
    version = variables["TOTRACKIT_VERSION"]
    docker("tag", IMAGE, f"{NAME}:{version}")
    compose = Compose(PROJECT, [FILE], env=variables)
    compose.down()
    compose("up", "-d", "--no-build")
    try:
        wait_healthy(compose, 180)
    except AssertionError as error:
        keep_or(compose.down)
        raise AssertionError(f"{error}\n{compose.diagnostics()}") from None
    yield compose
    keep_or(compose.down)
    run(["docker", "rmi", f"{NAME}:{version}"])


REQUEST = """
import json, sys, urllib.request as r, urllib.error as e
method, path, key = sys.argv[1:4]
data = json.dumps({"id": "run-1"}).encode() if method == "POST" else None
headers = {"X-API-KEY": key, "Content-Type": "application/json"}
request = r.Request("http://api:8080" + path, method=method, data=data, headers=headers)
try:
    response = r.urlopen(request, timeout=5)
except e.HTTPError as error:
    response = error
print(json.dumps([response.status, json.loads(response.read() or b"{}")]))
"""


def inside(
    compose: Compose, path: str, *, method: str = "GET", key: str = ""
) -> tuple[int, dict[str, Any]]:
    """A request to the API from inside the stack's network, as Coolify's proxy makes it."""
    answer = compose("exec", "-T", "worker", "python", "-c", REQUEST, method, path, key)
    status, body = json.loads(answer)
    return status, body


def test_the_prefilled_version_is_the_package_version(variables: dict[str, str]) -> None:
    assert variables["TOTRACKIT_VERSION"] == package_version()


def test_the_stack_comes_up_ready_with_generated_credentials(
    stack: Compose, variables: dict[str, str]
) -> None:
    status, ready = inside(stack, "/health/ready")

    assert status == 200
    assert ready["status"] == "UP"
    assert ready["migrations"]["status"] == "up-to-date"
    assert_non_root(stack)


def test_the_api_key_is_the_generated_one(stack: Compose, variables: dict[str, str]) -> None:
    key = variables["SERVICE_PASSWORD_64_APIKEY"]

    assert inside(stack, "/processes/coolify", method="POST")[0] == 401
    assert inside(stack, "/processes/coolify", method="POST", key=key)[0] == 201
    assert inside(stack, "/processes/coolify/run-1", key=key)[0] == 200


def test_the_migration_ran_once_and_no_port_is_published(stack: Compose) -> None:
    containers = {c["Name"].lstrip("/"): c for c in inspect(*stack.ids())}
    migrate = next(c for name, c in containers.items() if "migrate" in name)

    assert migrate["State"]["Status"] == "exited"
    assert migrate["State"]["ExitCode"] == 0
    assert all(not c["HostConfig"]["PortBindings"] for c in containers.values())


def test_data_is_on_named_volumes(stack: Compose) -> None:
    for service, path, volume in [
        ("postgres", "/var/lib/postgresql/data", "totrackit-postgres-data"),
        ("redis", "/data", "totrackit-redis-data"),
    ]:
        (container,) = inspect(stack.container(service))
        mounts = {m["Destination"]: m for m in container["Mounts"]}

        assert mounts[path]["Type"] == "volume"
        assert mounts[path]["Name"] == f"{PROJECT}_{volume}"


def test_compose_config_passes_with_the_coolify_variables(variables: dict[str, str]) -> None:
    Compose(f"{PREFIX}-coolify-config", [FILE], env=variables)("config", "-q")
