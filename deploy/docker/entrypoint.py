"""Container entry point of the ToTrackIt image: ``docker run IMAGE [COMMAND ARGS...]``.

1. Secrets from files. For every ``TOTRACKIT_<NAME>_FILE`` variable where ``TOTRACKIT_<NAME>`` is a
   setting (``TOTRACKIT_DB_PASSWORD_FILE=/run/secrets/db_password``), the file's content (without
   the trailing newline) becomes ``TOTRACKIT_<NAME>`` and the ``_FILE`` variable is removed, the
   convention of the official database images. Variables that are settings of their own (such as
   ``TOTRACKIT_TLS_KEY_FILE``, a path the server reads itself) are left alone. Docker/Compose secrets,
   Kubernetes Secret volumes and Vault agents all deliver files. Setting both forms is an error,
   and so is a file this user cannot read: exit status 78 (EX_CONFIG) with every problem listed.
2. Then it runs ``totrackit COMMAND ARGS...`` in this process (PID 1 stays the server, so
   signals reach uvicorn directly). When COMMAND is not a ``totrackit`` command but a program
   on PATH (``python``, ``sh`` in the slim image), that program is executed instead.

No shell is needed, so it works in the distroless image.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Collection, MutableMapping

EX_CONFIG = 78
PREFIX = "TOTRACKIT_"


def secret_file_variables(environ: Collection[str], settings: Collection[str]) -> list[str]:
    """The ``TOTRACKIT_*_FILE`` variables that name a file holding another setting's value."""
    found = []
    for name in environ:
        if not (name.startswith(PREFIX) and name.endswith("_FILE")):
            continue
        field = name[len(PREFIX) :].lower()
        if field in settings:  # a setting of its own, e.g. TLS_KEY_FILE
            continue
        if field[: -len("_file")] in settings:
            found.append(name)
    return sorted(found)


def load_secret_files(environ: MutableMapping[str, str], settings: Collection[str]) -> list[str]:
    """Move ``X_FILE`` contents into ``X``; return the problems found (empty when all is well)."""
    problems: list[str] = []
    for file_var in secret_file_variables(environ, settings):
        target = file_var[: -len("_FILE")]
        path = environ[file_var]
        if environ.get(target):
            problems.append(f"{target} and {file_var} are both set; set only one of them")
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read().rstrip("\r\n")
        except OSError as exc:
            problems.append(
                f"{file_var}={path}: cannot read the secret file ({exc.strerror}); it must exist "
                f"and be readable by uid {os.getuid()} or gid {os.getgid()}"
            )
            continue
        if not value:
            problems.append(f"{file_var}={path}: the secret file is empty")
            continue
        environ[target] = value
        del environ[file_var]
    return problems


def main(argv: list[str]) -> None:
    from totrackit.settings import Settings

    problems = load_secret_files(os.environ, set(Settings.model_fields))
    if problems:
        print(f"Configuration error: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        sys.exit(EX_CONFIG)

    from totrackit.cli.main import cli

    if argv and argv[0] not in cli.commands and not argv[0].startswith("-"):
        program = shutil.which(argv[0])
        if program is not None:
            os.execv(program, argv)
    cli.main(args=argv, prog_name="totrackit")


if __name__ == "__main__":
    main(sys.argv[1:])
