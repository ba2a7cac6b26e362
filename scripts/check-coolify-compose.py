#!/usr/bin/env python3
"""Check that a compose file deploys on Coolify as it is (docs/deployment/coolify.md).

  scripts/check-coolify-compose.py [compose.coolify.yml]

The conventions, read from Coolify's templates and its compose parser:
  - the public URL comes from a magic SERVICE_URL_<NAME>_<PORT> (or SERVICE_FQDN_...) declared
    by the service that listens on PORT; ${SERVICE_URL_<NAME>} is only used once declared;
  - credentials are generated: every password, secret or key is a SERVICE_PASSWORD_* (or
    SERVICE_BASE64_*, SERVICE_HEX_*, ...) magic variable, user names SERVICE_USER_*; never a
    literal, never a variable the operator would have to invent;
  - every other variable has a default (${VAR:-x}) or is required (${VAR:?x}, x being what
    Coolify prefills), so no deploy runs with a silently empty value;
  - long-running services have a health check (Coolify's status and proxy follow it); one-shot
    steps such as the migration have restart: "no", which Coolify leaves out of the health
    status (exclude_from_hc would too, but plain Compose refuses that key);
  - the migration runs before the services that use the database
    (condition: service_completed_successfully);
  - the database and Redis are reached by their service names, stored on named volumes;
  - no published host ports (Coolify's proxy routes the URL), no container_name, no bind mounts
    (a Coolify service has no checkout to mount from), no YAML anchors (Coolify rewrites the file);
  - $ meant for the container's shell is written $$ (Compose interpolates a single $);
  - ToTrackIt's images are selected by ${TOTRACKIT_VERSION:?X}, X the package version.
Exit status 1 with one line per problem, naming the service and what to change.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
MAGIC = re.compile(r"^SERVICE_(URL|FQDN|PASSWORD|USER|BASE64|REALBASE64|HEX|LOWERCASEUSER)_\w+$")
PUBLIC = re.compile(r"^SERVICE_(URL|FQDN)_([A-Z0-9]+)_(\d+)$")
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)$")
GENERATED = re.compile(r"^\$\{SERVICE_(PASSWORD|BASE64|REALBASE64|HEX)\w*\}$")
REFERENCE = re.compile(
    r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|(?<!\$)\$([A-Za-z_]\w*)"
)
VERSIONED_IMAGE = re.compile(r":\$\{TOTRACKIT_VERSION:\?(?P<version>[^}]+)\}$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


def anchors(text: str) -> list[str]:
    events = yaml.parse(text)
    found = [e for e in events if getattr(e, "anchor", None) or isinstance(e, yaml.AliasEvent)]
    return [f"line {e.start_mark.line + 1}" if e.start_mark else "?" for e in found]


def check(text: str, package_version: str) -> list[str]:
    problems = [f"YAML anchor or alias at {where}: write it out" for where in anchors(text)]
    document = yaml.safe_load(text) or {}
    services: dict[str, dict[str, Any]] = document.get("services") or {}
    declared_volumes = set((document.get("volumes") or {}).keys())
    if not services:
        return [*problems, "no services"]
    public = _public_urls(services, problems)
    one_shot = {name for name, s in services.items() if str(s.get("restart", "")) == "no"}
    for name, service in services.items():
        problems += [
            f"service {name}: {p}"
            for p in _service(
                name, service, services, public, one_shot, declared_volumes, package_version
            )
        ]
    return problems


def _public_urls(services: dict[str, dict[str, Any]], problems: list[str]) -> set[str]:
    names: set[str] = set()
    for name, service in services.items():
        expose = {str(port) for port in service.get("expose") or []}
        for key in environment(service):
            match = PUBLIC.match(key)
            if not match:
                continue
            names.add(match[2])
            if match[3] not in expose:
                problems.append(
                    f"service {name}: {key} routes to port {match[3]}, which it does not expose"
                )
    if not names:
        problems.append(
            "no service declares its public URL: add SERVICE_URL_<NAME>_<PORT> to the one that serves it"
        )
    return names


def _service(
    name: str,
    service: dict[str, Any],
    services: dict[str, dict[str, Any]],
    public: set[str],
    one_shot: set[str],
    volumes: set[str],
    package_version: str,
) -> list[str]:
    problems: list[str] = []
    env = environment(service)
    if service.get("ports"):
        problems.append(
            "publishes host ports: remove `ports` (Coolify's proxy routes the URL; use `expose`)"
        )
    if "container_name" in service:
        problems.append("container_name: remove it (Coolify names containers per resource)")
    if "exclude_from_hc" in service:
        problems.append(
            'exclude_from_hc: plain Compose refuses it; restart: "no" has the same effect on Coolify'
        )
    problems += _variables(service, env, public)
    problems += _health(name, service, one_shot)
    problems += _volumes(service, volumes)
    problems += _internal_names(env, services)
    problems += _totrackit(name, service, one_shot, package_version)
    return problems


def _variables(service: dict[str, Any], env: dict[str, str], public: set[str]) -> list[str]:
    problems: list[str] = []
    for key, value in env.items():
        if SECRET_NAME.search(key) and value and not GENERATED.match(value):
            problems.append(
                f"{key} must be generated by Coolify: ${{SERVICE_PASSWORD_<NAME>}}, not {value!r}"
            )
        if (
            key.endswith(("_USER", "_USERNAME"))
            and "PASSWORD" not in key
            and value
            and "${" not in value
        ):
            problems.append(f"{key} is a literal: use ${{SERVICE_USER_<NAME>}}")
    for text in strings(service):
        for match in REFERENCE.finditer(text):
            braced, operator, default, bare = match.groups()
            variable = braced or bare
            if MAGIC.match(variable):
                url = re.match(r"^SERVICE_(?:URL|FQDN)_([A-Z0-9]+)$", variable)
                if url and url[1] not in public:
                    problems.append(
                        f"${{{variable}}} is used, but no service declares SERVICE_URL_{url[1]}_<PORT>"
                    )
                if operator:
                    problems.append(
                        f"${{{variable}{operator}...}}: Coolify generates magic variables; give them no default"
                    )
            elif not operator:
                problems.append(
                    f"${{{variable}}} has no default: write ${{{variable}:-value}} or require it with ${{{variable}:?value}}"
                )
            elif "?" in operator and not default:
                problems.append(f"${{{variable}:?}} has no value for Coolify to prefill")
    shell = strings([service.get("command"), service.get("entrypoint"), service.get("healthcheck")])
    for text in shell:
        for match in REFERENCE.finditer(text):
            variable = match[1] or match[4]
            if variable in env:
                problems.append(
                    f"${variable} in {text!r} is the container's variable, but Compose expands it: write $${{{variable}}}"
                )
    return problems


def _health(name: str, service: dict[str, Any], one_shot: set[str]) -> list[str]:
    check = service.get("healthcheck") or {}
    if name in one_shot:
        return []
    if check.get("disable") or not check.get("test"):
        return [
            'has no health check: Coolify\'s status and proxy follow it (or make it one-shot with restart: "no")'
        ]
    return []


def _volumes(service: dict[str, Any], declared: set[str]) -> list[str]:
    problems: list[str] = []
    for volume in service.get("volumes") or []:
        source = (
            volume.get("source", "") if isinstance(volume, dict) else str(volume).split(":", 1)[0]
        )
        if source.startswith((".", "/", "~", "$")):
            problems.append(
                f"bind mount {source!r}: use a named volume (a Coolify service has no checkout)"
            )
        elif source not in declared:
            problems.append(f"volume {source!r} is not declared under the top-level volumes")
    image = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(service.get("image", "")))
    if re.search(r"(^|/)(postgres|redis)(:|@|$)", image) and not service.get("volumes"):
        problems.append("keeps its data in the container: mount a named volume")
    return problems


def _internal_names(env: dict[str, str], services: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for key, value in env.items():
        if key.endswith("_DB_HOST"):
            host = value
        elif key.endswith("_REDIS_URL") or key.endswith("DATABASE_URL"):
            host = urlsplit(re.sub(r"\$\{[^}]*\}", "x", value)).hostname or ""
        else:
            continue
        if host not in services:
            problems.append(
                f"{key} reaches {host!r}: use the service name of the stack's own database or Redis"
            )
    return problems


def _totrackit(name: str, service: dict[str, Any], one_shot: set[str], version: str) -> list[str]:
    image = str(service.get("image", ""))
    if "totrackit" not in image:
        return []
    problems: list[str] = []
    match = VERSIONED_IMAGE.search(image)
    if not match:
        problems.append("select the ToTrackIt image by ${TOTRACKIT_VERSION:?<version>}")
    elif match["version"] != version:
        problems.append(
            f"TOTRACKIT_VERSION prefills {match['version']}, the package is {version}: prefill {version}"
        )
    command = service.get("command") or []
    migrating = (command[:1] if isinstance(command, list) else str(command).split()[:1]) == [
        "migrate"
    ]
    if migrating and name not in one_shot:
        problems.append('the migration is a one-shot step: restart: "no"')
    depends = service.get("depends_on") or {}
    if not migrating and "DB_HOST" in " ".join(environment(service)):
        migrations = [s for s in one_shot if isinstance(depends, dict) and s in depends]
        if (
            not migrations
            or depends[migrations[0]].get("condition") != "service_completed_successfully"
        ):
            problems.append(
                "must start after the migration: depends_on: {migrate: {condition: service_completed_successfully}}"
            )
    return problems


def package_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "compose.coolify.yml"
    problems = check(path.read_text(), package_version())
    for problem in problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{path.name} follows the Coolify conventions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
