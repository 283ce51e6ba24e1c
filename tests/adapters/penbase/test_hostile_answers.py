"""The office client against a hostile platform: a real HTTP server on loopback
(:mod:`caredomain_http.crafted`) that answers whatever a test crafts. Every answer gives a
valid result or a caredomain error, never another exception; a pull follows a bounded number
of pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.errors import CareDomainError, InvalidInput
from caredomain.interventions import CaregiverId, DeviceId, Inbound, LossKind
from caredomain.testing.hostile import json_values, mutated
from caredomain_http.crafted import Answer, Crafted, Seen, crafted_server
from caredomain_penbase import PenbaseClient, PenbaseSettings, Secret
from caredomain_penbase.limits import MAX_ANSWER_BYTES

TIME = "2026-03-02T08:02:00+01:00"
GPS = {"latitude": 45.7, "longitude": 4.8, "accuracy_m": 12.0, "taken_at": TIME}
PUNCH = {
    "type": "punch",
    "id": "p-1",
    "received_at": TIME,
    "caregiver_id": "cg-alice",
    "intervention_id": "iv-1",
    "kind": "in",
    "method": "manual",
    "device_time": TIME,
    "gps": GPS,
    "reason": "badge illisible",
}
MILEAGE = {
    "type": "mileage",
    "id": "e-1",
    "received_at": TIME,
    "intervention_id": "iv-1",
    "caregiver_id": "cg-alice",
    "entered_at": TIME,
    "km": "12.40",
}
REQUEST = {
    "type": "request",
    "id": "rq-1",
    "received_at": TIME,
    "caregiver_id": "cg-alice",
    "kind": "absence",
    "first_day": "2026-03-09",
    "reason": "Rendez-vous",
    "submitted_at": TIME,
}
DIGITS = "1" * 5000


# An answer: status, headers and the body's bytes, chosen from the request's query.
@pytest.fixture(scope="module")
def crafted() -> Iterator[Crafted]:
    with crafted_server() as server:
        yield server


@pytest.fixture(scope="module")
def client(crafted: Crafted) -> Iterator[PenbaseClient]:
    settings = PenbaseSettings(
        url=crafted.url,
        token=Secret("office-token-Zq8xW2vR"),
        attempts=1,
        timeout=10.0,
        max_pages=5,
    )
    with PenbaseClient(settings, sleep=lambda _: None) as office:
        yield office


def serving(crafted: Crafted, status: int, body: bytes, **headers: str) -> None:
    crafted.serve(Answer(status, body, headers))


def page(*items: object, cursor: object = "1", more: object = False) -> bytes:
    return json.dumps({"cursor": cursor, "more": more, "items": list(items)}).encode()


def pull_refused(client: PenbaseClient) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        client.pull()
    assert refused.value.source == client.name
    assert len(str(refused.value)) < 400
    return refused.value


# -- each case of the campaign ---------------------------------------------------------


def test_a_valid_page_is_pulled(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, page(PUNCH, MILEAGE, REQUEST, cursor="3"))
    inbound = client.pull()
    assert (inbound.cursor, len(inbound)) == ("3", 3)


def test_a_5000_digit_integer_is_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, page(PUNCH).replace(b'"1"', DIGITS.encode()))
    refused = pull_refused(client)
    assert refused.field == "cursor"
    assert "more than 32 characters" in refused.message


def test_a_5000_digit_cursor_is_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, page(PUNCH, cursor=DIGITS))
    assert pull_refused(client).field == "cursor"


def test_deeply_nested_json_is_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, b"[" * 100_000 + b"]" * 100_000)
    assert "nested deeper" in pull_refused(client).message


def test_a_400_digit_latitude_is_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, page(PUNCH).replace(b"45.7", b"4" * 400 + b".5"))
    assert pull_refused(client).field == "items[0].gps.latitude"


def test_a_kilometre_count_of_1e999999999_is_refused(
    crafted: Crafted, client: PenbaseClient
) -> None:
    serving(crafted, 200, page({**MILEAGE, "km": "1e999999999"}))
    refused = pull_refused(client)
    assert refused.field == "items[0].km"
    assert refused.text == "1e999999999"


@pytest.mark.parametrize("km", ["1e-999999999", "NaN", "sNaN", "Infinity", "1" * 100])
def test_other_absurd_decimals_are_refused(
    crafted: Crafted, client: PenbaseClient, km: str
) -> None:
    serving(crafted, 200, page({**MILEAGE, "km": km}))
    assert pull_refused(client).field == "items[0].km"


@pytest.mark.parametrize("latitude", [b"1e999", b"NaN", b"-Infinity"])
def test_a_number_that_is_not_finite_is_refused(
    crafted: Crafted, client: PenbaseClient, latitude: bytes
) -> None:
    serving(crafted, 200, page(PUNCH).replace(b"45.7", latitude))
    assert pull_refused(client).field == "items[0].gps.latitude"


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_beyond_utc_is_refused(crafted: Crafted, client: PenbaseClient, moment: str) -> None:
    serving(crafted, 200, page({**PUNCH, "device_time": moment}))
    assert pull_refused(client).field == "items[0].device_time"


def test_bytes_that_are_not_utf8_are_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 200, page(PUNCH).replace(b"badge", b"\xffbadge"))
    assert "not UTF-8" in pull_refused(client).message


def test_an_answer_larger_than_the_bound_is_refused(
    crafted: Crafted, client: PenbaseClient
) -> None:
    serving(crafted, 200, b" " * (MAX_ANSWER_BYTES + 1))
    assert "larger than" in pull_refused(client).message


def test_a_refusal_with_a_malformed_error_is_still_a_caredomain_error(
    crafted: Crafted, client: PenbaseClient
) -> None:
    error = {"error": {"message": ["x"] * 10, "field": {"a": 1}}}
    serving(crafted, 400, json.dumps(error).encode())
    refused = pull_refused(client)
    assert refused.field is None
    assert refused.message == "HTTP 400: Bad Request"


def test_a_redirect_is_refused(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 302, b"", Location="http://elsewhere.example/")
    assert "redirect" in pull_refused(client).message


def test_more_forever_with_the_same_cursor_is_refused(
    crafted: Crafted, client: PenbaseClient
) -> None:
    serving(crafted, 200, page(PUNCH, cursor="7", more=True))
    with pytest.raises(InvalidInput, match="the cursor did not move"):
        client.pull("7")
    assert crafted.asked == 1


def test_more_forever_stops_after_max_pages_with_what_was_read(
    crafted: Crafted, client: PenbaseClient, caplog: pytest.LogCaptureFixture
) -> None:
    def endless(seen: Seen) -> Answer:
        after = int(parse_qs(urlsplit(seen.path).query).get("after", ["0"])[0]) + 1
        return Answer(200, page({**PUNCH, "id": f"p-{after}"}, cursor=str(after), more=True))

    crafted.serve(endless)
    inbound = client.pull()
    assert crafted.asked == 5
    assert inbound.cursor == "5"
    assert [punch.id for punch in inbound.punches] == [f"p-{n}" for n in range(1, 6)]
    assert "stopped after 5 pages" in caplog.text
    assert client.pull(inbound.cursor).cursor == "10"  # the next pull goes on from there


def test_the_page_bound_is_a_setting() -> None:
    assert PenbaseSettings(url="http://h/", token=Secret("t")).max_pages == 1000
    read = PenbaseSettings.from_mapping({"url": "http://h/", "token": "t", "max_pages": "20"})
    assert read.max_pages == 20
    with pytest.raises(InvalidInput) as refused:
        PenbaseSettings.from_mapping({"url": "http://h/", "token": "t", "max_pages": "0"})
    assert refused.value.field == "max_pages"


# -- properties --------------------------------------------------------------------------


PAGE = {"cursor": "3", "more": False, "items": [PUNCH, MILEAGE, REQUEST]}


def pulled_or_refused(client: PenbaseClient) -> None:
    """A valid ``Inbound`` or an :class:`InvalidInput`: nothing else leaves ``pull``."""
    outcome: Inbound | InvalidInput
    try:
        outcome = client.pull()
    except InvalidInput as refused:
        outcome = refused
    if isinstance(outcome, InvalidInput):
        assert outcome.source == client.name
    else:
        assert isinstance(outcome, Inbound)


QUICK = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(QUICK, max_examples=200)  # the campaign's cases are a few among many
@given(body=mutated(PAGE))
def test_any_mutated_page_is_pulled_or_refused(
    crafted: Crafted, client: PenbaseClient, body: Any
) -> None:
    serving(crafted, 200, json.dumps(body).encode())
    pulled_or_refused(client)


@QUICK
@given(body=json_values)
def test_any_json_answer_is_pulled_or_refused(
    crafted: Crafted, client: PenbaseClient, body: object
) -> None:
    serving(crafted, 200, json.dumps(body).encode())
    pulled_or_refused(client)


@QUICK
@given(body=st.binary(max_size=200))
def test_any_bytes_are_pulled_or_refused(
    crafted: Crafted, client: PenbaseClient, body: bytes
) -> None:
    serving(crafted, 200, body)
    pulled_or_refused(client)


@QUICK
@given(status=st.integers(200, 599), body=st.binary(max_size=100) | json_values.map(json.dumps))
def test_any_status_gives_a_result_or_a_caredomain_error(
    crafted: Crafted, client: PenbaseClient, status: int, body: bytes | str
) -> None:
    serving(crafted, status, body.encode() if isinstance(body, str) else body)
    try:
        client.withdraw([CaregiverId("cg-1")], ["cl-1"])
        client.pull()
    except CareDomainError:
        pass


def test_a_long_error_answer_is_cut_short(crafted: Crafted, client: PenbaseClient) -> None:
    serving(crafted, 503, b"x" * 100_000)
    with pytest.raises(CareDomainError) as gave_up:
        client.pull()
    assert len(str(gave_up.value)) < 400


@pytest.mark.parametrize("status", [400, 401, 503])
def test_a_server_echoing_the_token_does_not_put_it_in_an_error(
    crafted: Crafted, client: PenbaseClient, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    echoed = {"error": {"message": "refused: Authorization: Bearer office-token-Zq8xW2vR"}}
    serving(crafted, status, json.dumps(echoed).encode())
    with pytest.raises(CareDomainError) as refused:
        client.pull()
    assert "office-token-Zq8xW2vR" not in str(refused.value)
    assert "Bearer ***" in str(refused.value)
    assert "office-token-Zq8xW2vR" not in caplog.text


def test_a_server_echoing_the_token_as_the_field_does_not_put_it_in_an_error(
    crafted: Crafted, client: PenbaseClient
) -> None:
    echoed = {"error": {"message": "bad", "field": "Authorization: Bearer office-token-Zq8xW2vR"}}
    serving(crafted, 400, json.dumps(echoed).encode())
    with pytest.raises(InvalidInput) as refused:
        client.pull()
    assert "office-token-Zq8xW2vR" not in f"{refused.value}{refused.value!r}"
    assert refused.value.field == "Authorization: Bearer ***"


def test_a_device_id_with_an_accent_makes_the_same_idempotency_key_each_time(
    crafted: Crafted, client: PenbaseClient
) -> None:
    serving(crafted, 200, b"{}")
    for _ in range(2):
        client.block_device(DeviceId("téléphone-1"), LossKind.LOST)
    keys = {seen.headers["Idempotency-Key"] for seen in crafted.seen}
    assert len(crafted.seen) == 2
    assert len(keys) == 1
