"""TOTRACKIT_TLS_CERT_FILE / TOTRACKIT_TLS_KEY_FILE: ``totrackit serve`` speaks HTTPS itself."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from tests.support.servers import run_cli, running_server
from totrackit.settings import Settings


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made with the openssl CLI."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_serve_speaks_https_with_the_configured_certificate(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    env = {
        "TOTRACKIT_TLS_CERT_FILE": str(cert),
        "TOTRACKIT_TLS_KEY_FILE": str(key),
        "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",
    }
    trust = ssl.create_default_context(cafile=str(cert))
    with running_server(data_dir=tmp_path / "data", env=env, scheme="https") as server:
        response = httpx.get(f"{server.url}/health/live", verify=trust)
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url.replace("https://", "http://") + "/health/live", timeout=5)

    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert "listening on https://127.0.0.1:" in server.log.read_text()


def test_the_certificate_needs_its_key(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with pytest.raises(ValidationError, match="set both TOTRACKIT_TLS_CERT_FILE and"):
        Settings(tls_cert_file=cert)
    with pytest.raises(ValidationError, match="set both TOTRACKIT_TLS_CERT_FILE and"):
        Settings(tls_key_file=key)


def test_the_files_must_exist(tmp_path: Path, certificate: tuple[Path, Path]) -> None:
    cert, _ = certificate
    with pytest.raises(ValidationError, match="no such file"):
        Settings(tls_cert_file=cert, tls_key_file=tmp_path / "missing.pem")


def test_a_half_tls_configuration_stops_the_command_with_exit_78(
    certificate: tuple[Path, Path],
) -> None:
    cert, _ = certificate
    result = run_cli("serve", env={"TOTRACKIT_TLS_CERT_FILE": str(cert)})

    assert result.returncode == 78
    assert "TOTRACKIT_TLS_KEY_FILE: " in result.stderr
    assert "set both TOTRACKIT_TLS_CERT_FILE and TOTRACKIT_TLS_KEY_FILE" in result.stderr
