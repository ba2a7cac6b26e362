#!/usr/bin/env python3
"""Read CHANGELOG.md (Keep a Changelog) for releases; standard library only (CI runs it bare).

scripts/changelog.py version            the package version (pyproject.toml, the one source)
scripts/changelog.py check-tag v1.2.3   the tag is that version and CHANGELOG.md has its
                                        section and comparison link; prints the version
scripts/changelog.py section 1.2.3      the notes of one release (the GitHub release body)
scripts/changelog.py check              every section has its comparison link, newest first
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)
LINK = re.compile(r"^\[(?P<name>[^\]]+)\]: (?P<url>\S+)\s*$", re.M)


class ChangelogError(Exception):
    """CHANGELOG.md or the tag disagrees with the package; the message says what to fix."""


def package_version(root: Path = ROOT) -> str:
    version: str = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    return version


def sections(text: str) -> dict[str, str]:
    """Release name ("Unreleased", "1.2.3") to its notes, in file order."""
    found = list(HEADING.finditer(text))
    footer = LINK.search(text)
    ends = [m.start() for m in found[1:]] + [footer.start() if footer else len(text)]
    return {m["name"]: text[m.end() : end].strip() for m, end in zip(found, ends, strict=True)}


def check(text: str) -> list[str]:
    """What is wrong with the file's structure (empty when nothing)."""
    names = list(sections(text))
    links = {m["name"]: m["url"] for m in LINK.finditer(text)}
    problems = [] if names[:1] == ["Unreleased"] else ["the first section must be [Unreleased]"]
    problems += [
        f"[{name}] has no comparison link at the end" for name in names if name not in links
    ]
    releases = [name for name in names if name != "Unreleased"]
    ordered = sorted(releases, key=_version_key, reverse=True)
    if releases != ordered:
        problems.append(f"releases must be newest first: {', '.join(ordered)}")
    dated = {m["name"]: m["date"] for m in HEADING.finditer(text)}
    problems += [
        f"[{name}] needs a date: ## [{name}] - YYYY-MM-DD" for name in releases if not dated[name]
    ]
    return problems


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def check_tag(tag: str, root: Path = ROOT) -> str:
    version = package_version(root)
    if tag.removeprefix("v") != version:
        raise ChangelogError(
            f"tag {tag} is not the package version {version}: set version = "
            f'"{tag.removeprefix("v")}" in pyproject.toml, or tag v{version}'
        )
    text = (root / "CHANGELOG.md").read_text()
    if version not in sections(text):
        raise ChangelogError(f"CHANGELOG.md has no section ## [{version}] - YYYY-MM-DD")
    problems = check(text)
    if problems:
        raise ChangelogError("CHANGELOG.md: " + "; ".join(problems))
    return version


def main(argv: list[str]) -> int:
    command, *args = argv or ["check"]
    text = (ROOT / "CHANGELOG.md").read_text()
    try:
        if command == "version":
            print(package_version())
        elif command == "check-tag" and len(args) == 1:
            print(check_tag(args[0]))
        elif command == "section" and len(args) == 1:
            notes = sections(text).get(args[0].removeprefix("v"))
            if notes is None:
                raise ChangelogError(f"CHANGELOG.md has no section ## [{args[0]}]")
            print(notes)
        elif command == "check" and not args:
            problems = check(text)
            if problems:
                raise ChangelogError("CHANGELOG.md: " + "; ".join(problems))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except ChangelogError as error:
        print(f"changelog: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
