"""What the adapters' tests share: TLS on loopback, with a throwaway certificate authority
that clients trust for the length of one test."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme


@pytest.fixture(scope="session")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(
    certificate_authority: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ssl.SSLContext:
    """A server's TLS context for 127.0.0.1 and localhost, whose authority the clients of
    this test trust: ``SSL_CERT_FILE`` names it, which OpenSSL's default paths and httpx
    read (as an operator would point them at a private authority)."""
    authority = tmp_path / "authority.pem"
    certificate_authority.cert_pem.write_to_path(str(authority))
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context
