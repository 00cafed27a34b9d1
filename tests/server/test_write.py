"""POST /api/v2/write and the 1.x POST /write: InfluxDB's checks in its order, status codes and
wording, gzip, the body limit, precisions and what lands in storage."""

from __future__ import annotations

import base64
import gzip

import pytest
from starlette.testclient import TestClient

from tsengine.server.app import ServerConfig, create_app
from tsengine.server.auth import v1_token

LIMIT = 4096
NOW = 1_704_153_600_000_000_000  # the engine fixture's clock: 2024-01-02T00:00:00Z


@pytest.fixture
def app(engine):
    engine.create_bucket("b")
    app = create_app(engine, ServerConfig(max_body_bytes=LIMIT, run_tasks=False))
    app.state.token = app.state.tokens.create("t")[1]
    return app


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Token {app.state.token}"})


def lines(engine, bucket: str = "b") -> list[str]:
    return list(engine.export_lines(bucket))


def post(client: TestClient, body: bytes | str, path: str = "/api/v2/write",
         headers: dict[str, str] | None = None, **params: str):
    params = {"org": "default", "bucket": "b", **params} if path == "/api/v2/write" else params
    return client.post(path, params=params, content=body, headers=headers or {})


def assert_error(response, status: int, code: str, message: str | None = None) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-platform-error-code"] == code
    body = response.json()
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    return body["message"]


# -- success and what lands -----------------------------------------------------------------

def test_success_is_204_with_an_empty_body(client, engine):
    r = post(client, "m,t=a f=1i 1\nm,t=b f=2i 2\n")
    assert r.status_code == 204
    assert r.content == b""
    assert lines(engine) == ["m,t=a f=1i 1", "m,t=b f=2i 2"]


def test_empty_body_is_204(client, engine):
    assert post(client, b"").status_code == 204
    assert lines(engine) == []


@pytest.mark.parametrize(("precision", "stamp", "ns"), [
    ("ns", "1700000000123456789", 1_700_000_000_123_456_789),
    ("us", "1700000000123456", 1_700_000_000_123_456_000),
    ("ms", "1700000000123", 1_700_000_000_123_000_000),
    ("s", "1700000000", 1_700_000_000_000_000_000),
])
def test_precisions_land_at_the_right_nanosecond(client, engine, precision, stamp, ns):
    assert post(client, f"m f=1i {stamp}", precision=precision).status_code == 204
    assert lines(engine) == [f"m f=1i {ns}"]


def test_missing_timestamp_gets_the_request_time_truncated_to_the_precision(client, engine,
                                                                              clock):
    clock.set(NOW + 1_234_567_890)
    assert post(client, "m f=1i", precision="s").status_code == 204
    assert post(client, "n f=1i").status_code == 204
    assert lines(engine) == [f"m f=1i {NOW + 1_000_000_000}", f"n f=1i {NOW + 1_234_567_890}"]


def test_bucket_and_org_by_id(client, engine):
    org, bucket = engine.store.org(), engine.bucket("b")
    r = client.post("/api/v2/write", params={"orgID": org.id, "bucket": bucket.id},
                    content="m f=1i 5")
    assert r.status_code == 204
    assert post(client, "m f=2i 6", org=org.id).status_code == 204
    assert lines(engine) == ["m f=1i 5", "m f=2i 6"]


def test_org_id_wins_over_org(client, engine):
    org = engine.store.org()
    r = post(client, "m f=1i 5", org="nope", orgID=org.id)
    assert r.status_code == 204


# -- the checks, in influxd's order ---------------------------------------------------------

def test_missing_token_is_401(app):
    r = TestClient(app).post("/api/v2/write", params={"org": "default", "bucket": "b"},
                             content="m f=1")
    assert_error(r, 401, "unauthorized", "unauthorized access")


def test_invalid_precision_comes_first(client):
    r = client.post("/api/v2/write", params={"precision": "h"}, content="m f=1")
    assert_error(r, 400, "invalid",
                 "invalid precision; valid precision units are ns, us, ms, and s")


def test_empty_bucket_is_404_before_the_org_check(client):
    r = client.post("/api/v2/write", params={"bucket": ""}, content="m f=1")
    assert_error(r, 404, "not found", "bucket not found")
    r = client.post("/api/v2/write", content="m f=1")
    assert_error(r, 404, "not found", "bucket not found")


def test_neither_org_nor_org_id_is_400(client):
    r = client.post("/api/v2/write", params={"bucket": "b"}, content="m f=1")
    assert_error(r, 400, "invalid", "Please provide either orgID or org")


def test_unknown_org(client):
    assert_error(post(client, "m f=1", org="nope"), 404, "not found",
                 'organization name "nope" not found')
    assert_error(post(client, "m f=1", org="00000000000000aa"), 404, "not found",
                 "organization not found")
    assert_error(post(client, "m f=1", orgID="00000000000000aa"), 404, "not found",
                 "organization not found")
    assert_error(post(client, "m f=1", orgID="abc"), 400, "invalid",
                 "id must have a length of 16 bytes")
    assert_error(post(client, "m f=1", orgID="zzzzzzzzzzzzzzzz"), 400, "invalid", "invalid ID")


def test_unknown_bucket_is_404(client):
    assert_error(post(client, "m f=1", bucket="nope"), 404, "not found",
                 'bucket "nope" not found')
    assert_error(post(client, "m f=1", bucket="00000000000000aa"), 404, "not found",
                 'bucket "00000000000000aa" not found')


def test_buckets_created_or_deleted_between_writes_are_found_or_not(client, engine):
    """The route looks its bucket up from remembered answers, forgotten on each change."""
    t0 = 1704067200000000000
    assert post(client, f"m f=1 {t0}").status_code == 204
    assert_error(post(client, "m f=1", bucket="late"), 404, "not found")
    engine.create_bucket("late")
    assert post(client, f"m f=2i {t0}", bucket="late").status_code == 204
    assert lines(engine, "late") == [f"m f=2i {t0}"]
    engine.delete_bucket("late")
    assert_error(post(client, "m f=3", bucket="late"), 404, "not found",
                 'bucket "late" not found')


def test_unknown_bucket_is_refused_before_the_body_is_judged(client):
    r = post(client, "not line protocol", bucket="nope")
    assert_error(r, 404, "not found")


# -- line protocol errors: all or nothing ---------------------------------------------------

def test_syntax_error_on_line_3_writes_nothing_and_names_line_3(client, engine):
    body = "m f=1i 1\nm f=2i 2\nm,t=a f= 3\nm f=4i 4\n"
    message = assert_error(post(client, body), 400, "invalid")
    assert message.startswith("unable to parse 'm,t=a f= 3': missing field value")
    assert message.endswith("(line 3, column 9)")
    assert "\n" not in message
    assert lines(engine) == []


def test_every_bad_line_is_listed_one_per_line(client, engine):
    body = "m f=1i 1\n  bad\nm f=2i 2\nm f=tru 3\n"
    message = assert_error(post(client, body), 400, "invalid")
    entries = message.split("\n")
    assert len(entries) == 2
    assert entries[0].startswith("unable to parse 'bad': missing fields")
    assert entries[0].endswith("(line 2, column 6)")
    assert entries[1].startswith("unable to parse 'm f=tru 3': invalid boolean")
    assert entries[1].endswith("(line 4, column 5)")
    assert lines(engine) == []


# -- partial writes: 422, the other points kept ---------------------------------------------

def test_type_conflict_keeps_the_other_points_and_answers_422(client, engine):
    assert post(client, "m f=1i 1").status_code == 204
    r = post(client, "m f=2i 2\nm f=2.5 3\nm f=4i 4\n")
    assert_error(r, 422, "unprocessable entity",
                 'failure writing points to database: partial write: field type conflict: '
                 'input field "f" on measurement "m" is type float, already exists as type '
                 'integer dropped=1')
    assert lines(engine) == ["m f=1i 1", "m f=2i 2", "m f=4i 4"]


def test_points_beyond_retention_are_dropped_with_422(client, engine):
    engine.create_bucket("short", retention="1h")
    hour = 3_600_000_000_000
    body = f"m f=1i {NOW - 2 * hour}\nm f=2i {NOW - hour // 2}\nm f=3i {NOW - 3 * hour}\n"
    r = post(client, body, bucket="short")
    assert_error(r, 422, "unprocessable entity",
                 "failure writing points to database: partial write: dropped 2 points outside "
                 "retention policy of duration 1h0m0s dropped=2")
    assert lines(engine, "short") == [f"m f=2i {NOW - hour // 2}"]


# -- gzip -----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gzip", "x-gzip"])
def test_gzip_bodies(client, engine, encoding):
    r = post(client, gzip.compress(b"m f=1i 1\nm f=2i 2\n"),
             headers={"Content-Encoding": encoding})
    assert r.status_code == 204
    assert lines(engine) == ["m f=1i 1", "m f=2i 2"]


def test_concatenated_gzip_members_are_one_body(client, engine):
    body = gzip.compress(b"m f=1i 1\n") + gzip.compress(b"m f=2i 2\n")
    assert post(client, body, headers={"Content-Encoding": "gzip"}).status_code == 204
    assert lines(engine) == ["m f=1i 1", "m f=2i 2"]


def test_other_encodings_are_read_as_is(client, engine):
    assert post(client, "m f=1i 1", headers={"Content-Encoding": "identity"}).status_code == 204
    assert lines(engine) == ["m f=1i 1"]


def test_corrupt_gzip_is_400_unable_to_read_data(client, engine):
    gz = gzip.compress(b"m f=1i 1\n" * 20)
    cases = {
        b"not gzip at all": "unable to read data: gzip: invalid header",
        gz[:-8] + b"\0\0\0\0" + gz[-4:]: "unable to read data: gzip: invalid checksum",
        gz[: len(gz) // 2]: "unable to read data: unexpected EOF",
        b"": "unable to read data: EOF",
    }
    for body, message in cases.items():
        r = post(client, body, headers={"Content-Encoding": "gzip"})
        assert_error(r, 400, "invalid", message)
    assert lines(engine) == []


# -- body limit -----------------------------------------------------------------------------

def _body_of(size: int) -> bytes:
    line = b"m f=1i 1\n"
    body = line * (size // len(line))
    return body + b"#" * (size - len(body) - 1) + b"\n" if len(body) < size else body


def test_body_at_the_limit_is_written_one_byte_over_is_413(client, engine):
    assert post(client, _body_of(LIMIT)).status_code == 204
    assert lines(engine) == ["m f=1i 1"]
    over = _body_of(LIMIT + 1).replace(b"m f=1i 1", b"m f=2i 2")
    assert_error(post(client, over), 413, "request too large",
                 "unable to read data: points batch is too large")
    assert lines(engine) == ["m f=1i 1"]


def test_streamed_body_over_the_limit_is_413(client, engine):
    chunks = iter([b"m f=1i 1\n" * 100] * 10)  # no Content-Length: chunked
    r = client.post("/api/v2/write", params={"org": "default", "bucket": "b"}, content=chunks)
    assert_error(r, 413, "request too large")
    assert lines(engine) == []


def test_limit_applies_to_the_inflated_body(client, engine):
    bomb = gzip.compress(b"m f=1i 1\n" * 100_000)  # ~900 kB inflated, ~2 kB on the wire
    assert len(bomb) < LIMIT
    r = post(client, bomb, headers={"Content-Encoding": "gzip"})
    assert_error(r, 413, "request too large", "unable to read data: points batch is too large")
    assert lines(engine) == []


# -- InfluxDB 1.x: POST /write --------------------------------------------------------------

def test_v1_write_goes_to_the_bucket_named_db(client, engine):
    r = post(client, "m f=1i 1", path="/write", db="b")
    assert r.status_code == 204
    assert r.content == b""
    assert lines(engine) == ["m f=1i 1"]


def test_v1_rp_maps_to_db_slash_rp_when_it_exists(client, engine):
    engine.create_bucket("telegraf/weekly")
    engine.create_bucket("telegraf/autogen")
    assert post(client, "m f=1i 1", path="/write", db="telegraf", rp="weekly").status_code == 204
    assert post(client, "m f=2i 2", path="/write", db="b", rp="weekly").status_code == 204
    assert post(client, "m f=3i 3", path="/write", db="telegraf").status_code == 204
    assert lines(engine, "telegraf/weekly") == ["m f=1i 1"]
    assert lines(engine, "b") == ["m f=2i 2"]
    assert lines(engine, "telegraf/autogen") == ["m f=3i 3"]


def test_v1_unknown_db_and_missing_db(client, engine):
    assert_error(post(client, "m f=1", path="/write", db="nope"), 404, "not found",
                 "no dbrp mapping found")
    bucket_id = engine.bucket("b").id
    assert_error(post(client, "m f=1", path="/write", db=bucket_id), 404, "not found",
                 "no dbrp mapping found")
    assert_error(post(client, "m f=1", path="/write"), 400, "invalid", "missing db")


@pytest.mark.parametrize(("precision", "stamp", "ns"), [
    ("", "1700000000123456789", 1_700_000_000_123_456_789),
    ("n", "1700000000123456789", 1_700_000_000_123_456_789),
    ("ns", "1700000000123456789", 1_700_000_000_123_456_789),
    ("u", "1700000000123456", 1_700_000_000_123_456_000),
    ("us", "1700000000123456", 1_700_000_000_123_456_000),
    ("µ", "1700000000123456", 1_700_000_000_123_456_000),
    ("ms", "1700000000123", 1_700_000_000_123_000_000),
    ("s", "1700000000", 1_700_000_000_000_000_000),
    ("m", "28333333", 28_333_333 * 60_000_000_000),
    ("h", "472222", 472_222 * 3_600_000_000_000),
])
def test_v1_precisions(client, engine, precision, stamp, ns):
    r = post(client, f"m f=1i {stamp}", path="/write", db="b", precision=precision)
    assert r.status_code == 204, r.text
    assert lines(engine) == [f"m f=1i {ns}"]


def test_v1_minutes_and_hours_without_timestamp_get_now_truncated(client, engine, clock):
    clock.set(NOW + 30 * 60_000_000_000 + 59_999_999_999)  # 00:30:59.999999999
    assert post(client, "m f=1i", path="/write", db="b", precision="m").status_code == 204
    assert post(client, "h f=1i", path="/write", db="b", precision="h").status_code == 204
    assert lines(engine) == [f"h f=1i {NOW}", f"m f=1i {NOW + 30 * 60_000_000_000}"]


def test_v1_hours_out_of_range_is_a_bad_timestamp(client, engine):
    body = "m f=1i 1\nm f=2i 2600000\n"  # 2.6e6 h is past 2262
    message = assert_error(post(client, body, path="/write", db="b", precision="h"),
                           400, "invalid")
    assert message == ("unable to parse 'm f=2i 2600000': bad timestamp 2600000: out of range "
                       "(line 2, column 8)")
    assert lines(engine) == []


def test_v1_invalid_precision(client):
    assert_error(post(client, "m f=1", path="/write", db="b", precision="d"), 400, "invalid",
                 'invalid precision "d" (use n, u, ms, s, m or h)')


def test_v1_errors_as_v2(client, engine):
    message = assert_error(post(client, "m f=1i 1\nm f=", path="/write", db="b"), 400, "invalid")
    assert message.startswith("unable to parse 'm f=': missing field value")
    post(client, "m f=1i 1", path="/write", db="b")
    assert_error(post(client, "m f=1.5 2", path="/write", db="b"), 422, "unprocessable entity")
    r = post(client, gzip.compress(b"m f=3i 3"), path="/write", db="b",
             headers={"Content-Encoding": "gzip"})
    assert r.status_code == 204
    assert lines(engine) == ["m f=1i 1", "m f=3i 3"]
    assert_error(post(client, _body_of(LIMIT + 1), path="/write", db="b"), 413,
                 "request too large")


class _Req:
    """Just what v1_token reads of a request."""

    def __init__(self, params: dict[str, str] | None = None, auth: str | None = None) -> None:
        from starlette.datastructures import Headers, QueryParams
        self.query_params = QueryParams(params or {})
        self.headers = Headers({"authorization": auth} if auth else {})


def test_v1_token_from_query_token_header_or_basic_auth():
    basic = base64.b64encode(b"me:tok").decode()
    assert v1_token(_Req({"u": "me", "p": "tok"})) == "tok"  # type: ignore[arg-type]
    assert v1_token(_Req({"p": "tok"})) is None  # type: ignore[arg-type]
    assert v1_token(_Req(auth="Token tok")) == "tok"  # type: ignore[arg-type]
    assert v1_token(_Req(auth="Token me:tok")) == "tok"  # type: ignore[arg-type]
    assert v1_token(_Req(auth="Bearer tok")) == "tok"  # type: ignore[arg-type]
    assert v1_token(_Req(auth=f"Basic {basic}")) == "tok"  # type: ignore[arg-type]
    assert v1_token(_Req(auth="Basic !!!")) is None  # type: ignore[arg-type]
    assert v1_token(_Req({"u": "me", "p": "q"}, auth="Token tok")) == "q"  # type: ignore[arg-type]
    assert v1_token(_Req()) is None  # type: ignore[arg-type]
