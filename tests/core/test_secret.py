"""One secret type for every adapter: it never shows its value."""

import logging

import pytest

import caredomain_messaging
import caredomain_penbase
from caredomain import Secret


def test_only_reveal_gives_the_value() -> None:
    secret = Secret("s3cret-token")
    assert secret.reveal() == "s3cret-token"
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "Secret('***')"
    assert "s3cret" not in f"{secret} {secret!r} {[secret]} { ({'token': secret}) }"


def test_a_log_line_does_not_show_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        token = Secret("abc")
        logging.getLogger("caredomain.test").info("token %s, again %r", token, token)
    assert "abc" not in caplog.text
    assert "***" in caplog.text


def test_equal_by_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2


def test_the_adapters_use_the_same_type() -> None:
    assert caredomain_messaging.Secret is Secret
    assert caredomain_penbase.Secret is Secret
