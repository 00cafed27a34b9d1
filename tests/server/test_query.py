"""POST /api/v2/query: bodies as the Python client, the UI and curl send them, dialects, params
and extern options, gzip, Prefer, and InfluxDB's errors; responses read back with
influxdb-client's own FluxCsvParser, as the real client reads them."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from influxdb_client import InfluxDBClient
from influxdb_client.client.flux_csv_parser import (
    FluxCsvParser,
    FluxQueryException,
    FluxSerializationMode,
)
from influxdb_client.client.flux_table import TableList
from influxdb_client.client.query_api import QueryApi
from influxdb_client.domain.dialect import Dialect as ClientDialect
from starlette.testclient import TestClient

from tsengine import Engine
from tsengine.server.app import ServerConfig, create_app

T0 = "2024-01-01T00:00:00Z"
DATA = """\
cpu,host=a usage=1.5 1704067200000000000
cpu,host=b usage=2 1704067200000000000
cpu,host=a usage=3.5 1704067800000000000
cpu,host=b usage=4 1704067800000000000
cpu,host=c usage=9 1704151800000000000
"""
# the fixture clock says 2024-01-02T00:00:00Z: host c's point is 30 minutes old
FROM = f'from(bucket: "b") |> range(start: {T0})'
HEADER = ",result,table,_start,_stop,_time,_value,_field,_measurement,host\r\n"
ALL = ["datatype", "group", "default"]


@pytest.fixture
def app(engine: Engine) -> Any:
    engine.create_bucket("b")
    engine.write("b", DATA)
    return create_app(engine, ServerConfig(run_tasks=False))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    token = app.state.tokens.create("t")[1]
    with TestClient(app, headers={"Authorization": f"Token {token}"}) as c:
        yield c


@pytest.fixture
def org(engine: Engine) -> str:
    return engine.store.org().name


def post(client: TestClient, org: str, body: Any = None, **kwargs: Any) -> Any:
    if body is not None:
        kwargs["json"] = body
    return client.post("/api/v2/query", params={"org": org}, **kwargs)


def client_body(query: str, params: dict[str, Any] | None = None,
                dialect: ClientDialect = QueryApi.default_dialect) -> Any:
    """The JSON influxdb-client's QueryApi sends, built by the client's own code."""
    with InfluxDBClient(url="http://localhost:8086", token="t", org="o") as c:
        q = c.query_api()._create_query(query, dialect, params)
        return c.api_client.sanitize_for_serialization(q)


def tables(text: str) -> TableList:
    """The response read as the client reads it (query())."""
    parser = FluxCsvParser(response=io.BytesIO(text.encode()),
                           serialization_mode=FluxSerializationMode.tables)
    list(parser.generator())
    return parser.table_list()


def assert_error(response: Any, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-platform-error-code"] == code
    assert response.json() == {"code": code, "message": message}


# -- bodies -------------------------------------------------------------------------------------

def test_json_body_default_dialect_has_no_annotations(client, org):
    r = post(client, org, {"query": FROM + ' |> filter(fn: (r) => r.host == "a")'})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.text == (
        HEADER
        + ",_result,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:00:00Z,1.5,usage,"
          "cpu,a\r\n"
        + ",_result,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:10:00Z,3.5,usage,"
          "cpu,a\r\n\r\n")


def test_vnd_flux_body_is_the_raw_script(client, org):
    r = post(client, org, content=FROM + ' |> filter(fn: (r) => r.host == "b") |> last()',
             headers={"Content-Type": "application/vnd.flux; charset=utf-8"})
    assert r.status_code == 200
    assert r.text.splitlines()[1].endswith(",4,usage,cpu,b")
    assert not r.text.startswith("#")


def test_no_content_type_is_json(client, org):
    r = post(client, org, content=b'{"query": "' + FROM.replace('"', '\\"').encode() + b'"}',
             headers={"Content-Type": ""})
    assert r.status_code == 200
    assert r.text.startswith(HEADER)


def test_the_python_client_body_parses_with_its_parser(client, org):
    body = client_body(FROM + ' |> filter(fn: (r) => r.host == "a" or r.host == "b")')
    assert set(body) == {"extern", "query", "dialect"}  # no type: the server defaults it
    r = post(client, org, body, headers={"Accept": "application/csv, application/json",
                                         "Accept-Encoding": "identity"})
    assert r.status_code == 200
    found = tables(r.text)
    assert [t.get_group_key()[-1].label for t in found] == ["host", "host"]
    records = [rec for t in found for rec in t.records]
    assert [(rec["host"], rec.get_time(), rec.get_value()) for rec in records] == [
        ("a", datetime(2024, 1, 1, tzinfo=UTC), 1.5),
        ("a", datetime(2024, 1, 1, 0, 10, tzinfo=UTC), 3.5),
        ("b", datetime(2024, 1, 1, tzinfo=UTC), 2.0),
        ("b", datetime(2024, 1, 1, 0, 10, tzinfo=UTC), 4.0)]
    assert {rec["result"] for rec in records} == {"_result"}
    assert [rec["table"] for rec in records] == [0, 0, 1, 1]
    assert records[0].get_start() == datetime(2024, 1, 1, tzinfo=UTC)
    assert records[0].get_field() == "usage" and records[0].get_measurement() == "cpu"


def test_org_id_and_json_keys_in_any_case(client, engine):
    org_id = engine.store.org().id
    r = client.post("/api/v2/query", params={"orgID": org_id},
                    json={"QUERY": FROM + " |> count()", "Type": "flux"})
    assert r.status_code == 200
    assert r.text.count("\r\n,_result,") == 3  # a, b, c


# -- dialect ------------------------------------------------------------------------------------

@pytest.mark.parametrize("annotations", [["datatype"], ["group"], ["default"],
                                         ["default", "datatype"], ["group", "datatype", "default"],
                                         ALL])
def test_annotations_in_the_order_asked(client, org, annotations):
    query = FROM + ' |> filter(fn: (r) => r.host == "a") |> last()'
    r = post(client, org, {"query": query, "dialect": {"annotations": annotations}})
    lines = r.text.split("\r\n")
    assert [line.split(",")[0] for line in lines[:len(annotations)]] == [
        "#" + a for a in annotations]
    assert lines[len(annotations)] + "\r\n" == HEADER
    # the result cell is left to #default when that annotation is there
    result = "" if "default" in annotations else "_result"
    assert lines[len(annotations) + 1].startswith(f",{result},0,")


def test_header_false_and_a_delimiter(client, org):
    query = FROM + ' |> filter(fn: (r) => r.host == "a") |> last()'
    r = post(client, org, {"query": query, "dialect": {"header": False, "delimiter": ";",
                                                        "annotations": ["group"],
                                                        "commentPrefix": "",
                                                        "dateTimeFormat": "RFC3339Nano"}})
    assert r.text == ("#group;false;false;true;true;false;false;true;true;true\r\n"
                      ";_result;0;2024-01-01T00:00:00Z;2024-01-02T00:00:00Z;"
                      "2024-01-01T00:10:00Z;3.5;usage;cpu;a\r\n\r\n")


def test_a_client_dialect_object_is_honoured(client, org):
    dialect = ClientDialect(header=True, delimiter="\t", annotations=["datatype"],
                            comment_prefix="#", date_time_format="RFC3339")
    body = client_body(FROM + ' |> filter(fn: (r) => r.host == "b") |> first()', dialect=dialect)
    r = post(client, org, body)
    assert r.text.split("\r\n")[0].split("\t")[:3] == ["#datatype", "string", "long"]
    assert r.text.split("\r\n")[2].endswith("\t2\tusage\tcpu\tb")


# -- params and extern --------------------------------------------------------------------------

def test_params_of_each_type_become_options(client, org):
    params = {"host": "a", "n": 1, "factor": 2.5, "flag": True,
              "start": datetime(2024, 1, 1, 0, 5, tzinfo=UTC), "every": timedelta(minutes=10),
              "hosts": ["x", "a"], "skipped": None}
    query = ('from(bucket: "b") |> range(start: start)'
             ' |> filter(fn: (r) => r.host == host and r.host == hosts[1])'
             ' |> limit(n: n)'
             ' |> map(fn: (r) => ({r with _value: r._value * factor, flag: flag,'
             ' every: string(v: every)}))')
    r = post(client, org, client_body(query, params))
    assert r.status_code == 200, r.text
    [table] = tables(r.text)
    [rec] = table.records
    assert (rec["host"], rec.get_value(), rec["flag"], rec["every"]) == ("a", 8.75, True, "10m")
    assert rec.get_start() == datetime(2024, 1, 1, 0, 5, tzinfo=UTC)


def test_a_negative_timedelta_param_is_a_negative_duration(client, org):
    body = client_body('from(bucket: "b") |> range(start: back)'
                       ' |> map(fn: (r) => ({r with back: string(v: back)}))',
                       {"back": -timedelta(hours=1)})
    assert body["extern"]["body"][0]["assignment"]["init"]["type"] == "UnaryExpression"
    r = post(client, org, body)
    [table] = tables(r.text)
    assert [(rec["host"], rec["back"]) for rec in table.records] == [("c", "-1h")]


def test_json_params_are_bare_options(client, org):
    r = post(client, org, {"query": FROM + " |> filter(fn: (r) => r.host == h) |> limit(n: n)",
                           "params": {"h": "b", "n": 1}, "dialect": {"annotations": ALL}})
    [table] = tables(r.text)
    assert [rec.get_value() for rec in table.records] == [2.0]


def ui_extern(*properties: tuple[str, Any]) -> dict[str, Any]:
    """`option v = {...}` as the InfluxDB UI sends dashboard variables."""
    return {"type": "File", "package": None, "imports": None, "body": [{
        "type": "OptionStatement",
        "assignment": {"type": "VariableAssignment", "id": {"type": "Identifier", "name": "v"},
                       "init": {"type": "ObjectExpression", "properties": [
                           {"type": "Property", "key": {"type": "Identifier", "name": k},
                            "value": v} for k, v in properties]}}}]}


def test_the_ui_option_v_extern(client, org):
    extern = ui_extern(
        ("timeRangeStart", {"type": "UnaryExpression", "operator": "-", "argument": {
            "type": "DurationLiteral", "values": [{"magnitude": 1, "unit": "d"}]}}),
        ("timeRangeStop", {"type": "CallExpression",
                           "callee": {"type": "Identifier", "name": "now"}}),
        ("windowPeriod", {"type": "DurationLiteral",
                          "values": [{"magnitude": 600000, "unit": "ms"}]}))
    query = ('from(bucket: "b") |> range(start: v.timeRangeStart, stop: v.timeRangeStop)'
             ' |> filter(fn: (r) => r.host == "a")'
             ' |> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)')
    r = post(client, org, {"query": query, "extern": extern, "dialect": {"annotations": ALL}})
    assert r.status_code == 200, r.text
    [table] = tables(r.text)
    assert [(rec.get_time(), rec.get_value()) for rec in table.records] == [
        (datetime(2024, 1, 1, 0, 10, tzinfo=UTC), 1.5),
        (datetime(2024, 1, 1, 0, 20, tzinfo=UTC), 3.5)]
    assert table.records[0].get_stop() == datetime(2024, 1, 2, tzinfo=UTC)


def test_extern_datetime_literals_and_the_scripts_own_option_wins(client, org):
    extern = ui_extern(
        ("timeRangeStart", {"type": "DateTimeLiteral", "value": "2024-01-01T00:05:00.000Z"}),
        ("timeRangeStop", {"type": "DateTimeLiteral", "value": "2024-01-01T02:00:00+01:00"}))
    query = 'from(bucket: "b") |> range(start: v.timeRangeStart, stop: v.timeRangeStop)'
    r = post(client, org, {"query": query, "extern": extern})
    assert [line.split(",")[9] for line in r.text.split("\r\n")[1:-2]] == ["a", "b"]
    own = 'option v = {timeRangeStart: 2024-01-01T00:00:00Z, timeRangeStop: now()}\n' + query
    r = post(client, org, {"query": own, "extern": extern})
    assert r.text.count(",usage,cpu,") == 5


def test_now_sets_now(client, org):
    query = 'from(bucket: "b") |> range(start: -1h) |> map(fn: (r) => ({r with n: now()}))'
    r = post(client, org, {"query": query, "now": "2024-01-01T00:30:00Z",
                           "dialect": {"annotations": ALL}})
    records = [rec for t in tables(r.text) for rec in t.records]
    assert [rec["host"] for rec in records] == ["a", "a", "b", "b"]
    moment = datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert {rec.get_stop() for rec in records} == {rec["n"] for rec in records} == {moment}


def test_unknown_extern_node_types_are_named(client, org):
    extern = {"imports": [], "body": [{"type": "OptionStatement", "assignment": {
        "type": "VariableAssignment", "id": {"type": "Identifier", "name": "x"},
        "init": {"type": "FunctionExpression", "params": [], "body": {}}}}]}
    r = post(client, org, {"query": FROM, "extern": extern})
    assert_error(r, 400, "invalid", 'extern: unsupported node type "FunctionExpression"')


def test_the_clients_profiler_extern_is_accepted(client, org):
    body = client_body(FROM + " |> count()")
    with InfluxDBClient(url="http://x", token="t", org="o") as c:
        extern = QueryApi._build_flux_ast(None, ["query", "operator"])
        body["extern"] = c.api_client.sanitize_for_serialization(extern)
    assert body["extern"]["imports"]
    r = post(client, org, body)
    assert r.status_code == 200
    assert len(tables(r.text)) == 3


# -- response -----------------------------------------------------------------------------------

def test_gzip_when_accepted_and_big_enough(client, org, engine):
    engine.write("b", "".join(f"mem,host=h{i:03d} used={i} 1704067200000000000\n"
                              for i in range(40)))
    query = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z) |> filter(fn: (r) => ' \
            'r._measurement == "mem")'
    body = {"query": query, "dialect": {"annotations": ALL}}
    r = post(client, org, body, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in r.headers["vary"].lower()
    plain = post(client, org, body, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert r.text == plain.text  # httpx decoded it
    assert len(tables(r.text)) == 40
    raw = client.build_request("POST", "/api/v2/query", params={"org": org}, json=body,
                               headers={"Accept-Encoding": "gzip"})
    sent = client.send(raw, stream=True)
    assert gzip.decompress(b"".join(sent.iter_raw())).decode() == plain.text


def test_small_responses_are_not_gzipped(client, org):
    r = post(client, org, {"query": FROM + " |> count()"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers


def test_prefer_return_no_content(client, org, engine):
    query = FROM + ' |> filter(fn: (r) => r.host == "a") |> to(bucket: "out")'
    engine.create_bucket("out")
    r = post(client, org, {"query": query}, headers={"Prefer": "return-no-content"})
    assert r.status_code == 204 and r.content == b""
    assert len(list(engine.export_lines("out", T0, "2024-01-02T00:00:00Z"))) == 2
    # InfluxDB has answered 204 before the query runs: errors are not reported
    r = post(client, org, {"query": "nope"}, headers={"Prefer": "return-no-content"})
    assert r.status_code == 204


def test_prefer_return_no_content_with_error(client, org):
    headers = {"Prefer": "return-no-content-with-error"}
    r = post(client, org, {"query": FROM}, headers=headers)
    assert r.status_code == 200 and r.text == ""
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    # an error while the query runs is an error table the client raises
    failing = FROM + ' |> map(fn: (r) => ({r with _value: r._value + "x"}))'
    r = post(client, org, {"query": failing, "dialect": {"annotations": ALL}}, headers=headers)
    assert r.status_code == 200
    assert r.text.split("\r\n")[:3] == ["#datatype,string,string", "#group,true,true",
                                        "#default,,"]
    with pytest.raises(FluxQueryException, match="type conflict"):
        tables(r.text)
    # errors found before it runs are still JSON errors
    r = post(client, org, {"query": "x = "}, headers=headers)
    assert r.status_code == 400


# -- errors -------------------------------------------------------------------------------------

JSON_HINT = ("failed to decode request body: failed parsing request body as JSON; if sending a "
             "raw Flux script, set 'Content-Type: application/vnd.flux' in your request headers: ")


@pytest.mark.parametrize(("content", "detail"), [
    (b"", "EOF"),
    (b'{"query": ', "unexpected EOF"),
    (b"from(bucket: \"b\")", "invalid character 'f' looking for beginning of value"),
    (b'{"query": "x" "type": "flux"}', "invalid character '\"' after object key:value pair"),
    (b"[1]", "json: cannot unmarshal array into Go value of type http.QueryRequest"),
    (b'{"query": 1}', "json: cannot unmarshal number into Go struct field QueryRequest.query "
                      "of type string"),
    (b'{"query": "x", "dialect": {"header": "yes"}}',
     "json: cannot unmarshal string into Go struct field QueryDialect.dialect.header of type "
     "bool"),
    (b'{"query": "x", "now": "yesterday"}', 'parsing time "yesterday" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as RFC3339'),
])
def test_bad_json(client, org, content, detail):
    r = post(client, org, content=content, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid", JSON_HINT + detail)


@pytest.mark.parametrize(("body", "message"), [
    ({}, "request body requires either query or AST"),
    ({"query": "x", "type": "influxql"}, "unknown query type: influxql"),
    ({"query": "x", "dialect": {"delimiter": ";;"}}, "invalid dialect delimeter: must be length 1"),
    ({"query": "x", "dialect": {"commentPrefix": "//"}},
     "invalid dialect comment prefix: must be length 0 or 1"),
    ({"query": "x", "dialect": {"annotations": ["datatype", "units"]}},
     "unknown dialect annotation type: units"),
    ({"query": "x", "dialect": {"dateTimeFormat": "Unix"}},
     "unknown dialect date time format: Unix"),
    # validation comes before the organization is looked up
    ({"dialect": {"delimiter": ";;"}}, "request body requires either query or AST"),
])
def test_invalid_requests(client, org, body, message):
    assert_error(post(client, "nope", body), 400, "invalid",
                 f"failed to decode request body: {message}")


@pytest.mark.parametrize(("params", "message"), [
    ({}, "Please provide either orgID or org"),
    ({"org": ""}, "Please provide either orgID or org"),
    ({"org": "nope"}, 'organization name "nope" not found'),
    ({"org": "0123456789abcdef"}, "organization not found"),
    ({"orgID": "0123456789abcdef"}, "organization not found"),
    ({"orgID": "abc"}, "id must have a length of 16 bytes"),
    ({"orgID": "zzzzzzzzzzzzzzzz"}, "invalid ID"),
])
def test_organization_errors_are_400(client, params, message):
    r = client.post("/api/v2/query", params=params, json={"query": FROM})
    assert_error(r, 400, "invalid", f"failed to decode request body: {message}")


def test_an_ast_query_is_not_implemented(client, org):
    r = post(client, org, {"ast": {"type": "Package", "files": []}})
    assert r.status_code == 501
    assert r.json()["code"] == "not implemented"


@pytest.mark.parametrize(("query", "message"), [
    ("x = ", "error at 1:5: expected an expression, found end of input"),
    ('from(bucket: "b") |> range(start: v.timeRangeStart)', "undefined identifier v"),
    ('from(bucket: "b")', 'cannot submit unbounded read to "b"'),
    (FROM + ' |> map(fn: (r) => ({r with _value: r._value + "x"}))',
     "map: type conflict: string != float"),
])
def test_flux_errors_are_400_with_line_and_column(client, org, query, message):
    r = post(client, org, {"query": query})
    assert r.status_code == 400
    assert r.headers["x-platform-error-code"] == "invalid"
    assert r.json()["code"] == "invalid"
    assert message in r.json()["message"]
    assert r.json()["message"].startswith("error at 1:")


def test_an_unknown_bucket_is_404(client, org):
    r = post(client, org, {"query": 'from(bucket: "nope") |> range(start: -1h)'})
    assert_error(r, 404, "not found",
                 'failed to initialize execute state: could not find bucket "nope"')


def test_a_missing_token_is_401(app, org):
    with TestClient(app) as c:
        r = c.post("/api/v2/query", params={"org": org}, json={"query": FROM})
    assert_error(r, 401, "unauthorized", "unauthorized access")
