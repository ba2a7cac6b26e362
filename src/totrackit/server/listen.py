"""Binding the server's port before anything else starts, and saying where it serves.

The port is bound before the application is built, so a port in use stops the command at once
with a message naming the flag and variable that change it, before migrations run or a
deadline engine touches the data. uvicorn's own ``Config.bind_socket()`` would exit 1 with only
the ``[Errno 98]`` text, and log "running on" before anything runs.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from totrackit import __version__

# EX_UNAVAILABLE from sysexits.h: a service the command needs (here: its port) is not available.
EXIT_UNAVAILABLE = 69

# What to show instead of a wildcard address: a browser cannot open http://0.0.0.0:8080.
_WILDCARDS = {"0.0.0.0": "localhost", "::": "localhost", "": "localhost"}


class CannotBind(Exception):
    """The port could not be bound; the message says which setting to change."""


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, ready for uvicorn (and inherited by server processes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening now makes the port ours alone: two sockets that are only bound can share a
        # port with SO_REUSEADDR. Connections wait in the backlog until the server accepts.
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise CannotBind(_explain(error, host, port)) from error
    sock.set_inheritable(True)
    return sock


def _explain(error: OSError, host: str, port: int) -> str:
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"Cannot listen on {where}: the port is already in use (another ToTrackIt or another "
            f"program). Stop it, or choose another port with --port or TOTRACKIT_PORT."
        )
    if error.errno == errno.EACCES:
        return (
            f"Cannot listen on {where}: permission denied (ports below 1024 need privileges). "
            f"Choose a port of 1024 or above with --port or TOTRACKIT_PORT."
        )
    if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return (
            f"Cannot listen on {where}: {host} is not an address of this machine. Choose one "
            f"with --host or TOTRACKIT_HOST (0.0.0.0 for every interface)."
        )
    return (
        f"Cannot listen on {where}: {error.strerror or error}. Check --host/TOTRACKIT_HOST and "
        f"--port/TOTRACKIT_PORT."
    )


@dataclass(frozen=True)
class Address:
    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        host = _WILDCARDS.get(self.host, self.host)
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{self.port}"


def banner(address: Address, *, processes: int = 1) -> str:
    """The one start line, logged once the server accepts connections."""
    url = address.url
    count = f" ({processes} server processes)" if processes > 1 else ""
    return (
        f"ToTrackIt {__version__} listening on {url}{count}: "
        f"UI {url}/, API docs {url}/docs, health {url}/health"
    )
