"""Annotated CSV encoding of Flux results, byte for byte as InfluxDB 2.x's /api/v2/query."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tsengine.encode.annotated_csv import Dialect, DialectError, encode_error, encode_results
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.values import Time

ALL = ("datatype", "group", "default")
CLIENT = Dialect(annotations=ALL)  # what influxdb-client-python asks for
KEY = ("_start", "_stop", "_measurement", "host")


def crlf(text: str) -> str:
    """Expected output written with plain newlines, as the wire has them: CRLF."""
    return text.replace("\n", "\r\n")


def times(*values: str | int | None) -> pl.Series:
    """A time column from RFC3339 strings or epoch nanoseconds."""
    ns = [None if v is None else v if isinstance(v, int)
          else pl.Series([v]).str.to_datetime(time_unit="ns", time_zone="UTC").dt.epoch("ns")[0]
          for v in values]
    return pl.Series(ns, dtype=pl.Int64).cast(TIME_DTYPE)


def cpu(hosts: list[str], values: list[float], seconds: list[int] | None = None) -> pl.DataFrame:
    """Rows as upstream's encoder tests have them: _start,_stop,_time,_measurement,host,_value."""
    n = len(values)
    seconds = seconds or [0, 1] * (n // 2) + [0] * (n % 2)
    return pl.DataFrame({
        "_start": times(*["2018-04-17T00:00:00Z"] * n),
        "_stop": times(*["2018-04-17T00:05:00Z"] * n),
        "_time": times(*[f"2018-04-17T00:00:0{s}Z" for s in seconds]),
        "_measurement": ["cpu"] * n,
        "host": hosts,
        "_value": values,
    })


def stream(*frames: TableFrame) -> TableStream:
    return TableStream(list(frames))


HEAD = crlf("""\
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double
#group,false,false,true,true,false,true,true,false
#default,_result,,,,,,,
,result,table,_start,_stop,_time,_measurement,host,_value
""")


def test_the_illustration_of_the_compat_notes():
    frame = pl.DataFrame({
        "_start": times("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        "_stop": times("2024-01-01T01:00:00Z", "2024-01-01T01:00:00Z"),
        "_time": times("2024-01-01T00:10:00Z", "2024-01-01T00:10:00Z"),
        "_value": [1.5, 2.0],
        "_field": ["usage", "usage"],
        "_measurement": ["cpu", "cpu"],
        "host": ["a", "b"],
    })
    key = ("_start", "_stop", "_field", "_measurement", "host")
    out = encode_results([("_result", TableStream.of(frame, key))], CLIENT)
    assert out == crlf("""\
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:10:00Z,1.5,usage,cpu,a
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:10:00Z,2,usage,cpu,b

""")


def test_tables_of_one_schema_share_one_header_and_differ_by_table_id():
    out = encode_results([("_result", TableStream.of(cpu(["A", "A", "B", "B"],
                                                         [42.0, 43.0, 44.0, 45.0]), KEY))], CLIENT)
    assert out == HEAD + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,42
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,43
,,1,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,B,44
,,1,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,B,45

""")


def test_key_values_repeat_on_every_row_of_their_table_null_ones_too():
    frame = pl.DataFrame({"host": ["a", None, "a", None, "b,c"], "_value": [1, 2, 3, 4, 5]})
    out = encode_results([("_result", TableStream.of(frame, ["host"]))], Dialect())
    assert out == crlf("""\
,result,table,host,_value
,_result,0,,2
,_result,0,,4
,_result,1,a,1
,_result,1,a,3
,_result,2,"b,c",5

""")


def test_a_change_of_group_key_columns_starts_a_new_block():
    # upstream's "group key column change" case: A keyed by host, then one keyed without it
    by_host = TableFrame(cpu(["A", "A"], [42.0, 43.0]), KEY)
    without = TableFrame(cpu(["A", "A"], [44.0, 45.0]).with_columns(_measurement=pl.lit("mem")),
                         ("_start", "_stop", "_measurement"))
    out = encode_results([("_result", stream(by_host, without))], CLIENT)
    assert out == HEAD + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,42
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,43

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double
#group,false,false,true,true,false,true,false,false
#default,_result,,,,,,,
,result,table,_start,_stop,_time,_measurement,host,_value
,,1,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,mem,A,44
,,1,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,mem,A,45

""")


def test_a_change_of_column_type_or_order_starts_a_new_block():
    floats = pl.DataFrame({"t": ["a"], "_value": [1.5]})
    ints = pl.DataFrame({"t": ["b"], "_value": [2]})
    swapped = pl.DataFrame({"_value": [3], "t": ["c"]})
    same_as_ints = pl.DataFrame({"t": ["d"], "_value": [4]})
    frames = [TableFrame(f, ("t",)) for f in (floats, ints, swapped, same_as_ints)]
    out = encode_results([("r", stream(*frames))], Dialect(annotations=("datatype",)))
    assert out == crlf("""\
#datatype,string,long,string,double
,result,table,t,_value
,r,0,a,1.5

#datatype,string,long,string,long
,result,table,t,_value
,r,1,b,2

#datatype,string,long,long,string
,result,table,_value,t
,r,2,3,c

#datatype,string,long,string,long
,result,table,t,_value
,r,3,d,4

""")


def test_group_key_order_matters_but_not_only_membership():
    frame = pl.DataFrame({"a": ["x"], "b": ["y"], "_value": [1]})
    first = TableFrame(frame, ("a", "b"))
    second = TableFrame(frame.with_columns(a=pl.lit("z")), ("b", "a"))
    out = encode_results([("_result", stream(first, second))], Dialect(annotations=("group",)))
    assert out == crlf("""\
#group,false,false,true,true,false
,result,table,a,b,_value
,_result,0,x,y,1

#group,false,false,true,true,false
,result,table,a,b,_value
,_result,1,z,y,1

""")


def test_empty_tables_get_their_own_block_with_key_values_in_default_row():
    frame = cpu(["A", "A", "C", "C"], [1.0, 2.0, 5.0, 6.0])
    empty_b = (Time(1523923200 * 10**9), Time(1523923500 * 10**9), "cpu", "B")
    out = encode_results([("_result", stream(TableFrame(frame, KEY, empty=[empty_b])))], CLIENT)
    assert out == HEAD + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,1
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,2

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double
#group,false,false,true,true,false,true,true,false
#default,_result,1,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,,cpu,B,
,result,table,_start,_stop,_time,_measurement,host,_value

""") + HEAD + crlf("""\
,,2,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,C,5
,,2,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,C,6

""")


def test_an_empty_table_alone_and_one_with_typed_and_null_key_values():
    frame = pl.DataFrame(schema={"k": pl.Int64, "u": pl.UInt64, "b": pl.Boolean, "f": pl.Float64,
                                 "s": pl.String, "_value": pl.Int64})
    tables = TableFrame(frame, ("k", "u", "b", "f", "s"),
                        empty=[(-3, 2**64 - 1, True, 2.0, None)])
    out = encode_results([("_result", stream(tables))], CLIENT)
    assert out == crlf("""\
#datatype,string,long,long,unsignedLong,boolean,double,string,long
#group,false,false,true,true,true,true,true,false
#default,_result,0,-3,18446744073709551615,true,2,,
,result,table,k,u,b,f,s,_value

""")


def test_empty_tables_without_default_annotation_keep_only_the_header():
    frame = pl.DataFrame(schema={"host": pl.String, "_value": pl.Float64})
    tables = TableFrame(frame, ("host",), empty=[("a",), ("b",)])
    out = encode_results([("_result", stream(tables))], Dialect())
    assert out == crlf("""\
,result,table,host,_value

,result,table,host,_value

""")


def test_several_results_number_tables_from_zero_each_and_end_with_a_blank_line():
    data = TableStream.of(cpu(["A", "A"], [42.0, 43.0]), KEY)
    mean = TableStream.of(cpu(["A", "A"], [40.0, 40.1]), KEY)
    out = encode_results([("_result", data), ("mean", mean)], CLIENT)
    assert out == HEAD + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,42
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,43

""") + HEAD.replace("_result", "mean") + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,40
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,40.1

""")


def test_a_result_without_tables_is_just_its_trailing_blank_line():
    assert encode_results([("_result", TableStream())], CLIENT) == "\r\n"
    assert encode_results([], CLIENT) == ""
    one = TableStream.of(pl.DataFrame({"_value": [1]}), [])
    assert encode_results([("a", TableStream()), ("b", one)], Dialect()) == crlf("""\

,result,table,_value
,b,0,1

""")


def test_every_value_type_with_nulls():
    frame = pl.DataFrame({
        "b": pl.Series([True, False, None]),
        "i": pl.Series([-(2**63), 2**63 - 1, None], dtype=pl.Int64),
        "u": pl.Series([2**64 - 1, 0, None], dtype=pl.UInt64),
        "f": pl.Series([2.0, -0.5, None]),
        "s": pl.Series(["x", "", None]),
        "t": times("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z", None),
    })
    out = encode_results([("_result", TableStream.of(frame, []))], CLIENT)
    assert out == crlf("""\
#datatype,string,long,boolean,long,unsignedLong,double,string,dateTime:RFC3339
#group,false,false,false,false,false,false,false,false
#default,_result,,,,,,,
,result,table,b,i,u,f,s,t
,,0,true,-9223372036854775808,18446744073709551615,2,x,2024-01-01T00:00:00Z
,,0,false,9223372036854775807,0,-0.5,,2024-01-01T00:00:00.5Z
,,0,,,,,,

""")


def test_an_all_null_column_of_unknown_type_is_a_string_column():
    frame = pl.DataFrame({"n": pl.Series([None, None]), "_value": [1, 2]})
    out = encode_results([("_result", TableStream.of(frame, []))],
                         Dialect(annotations=("datatype",)))
    assert out == crlf("""\
#datatype,string,long,string,long
,result,table,n,_value
,_result,0,,1
,_result,0,,2

""")


FLOATS = [(2.0, "2"), (0.1, "0.1"), (1e21, "1000000000000000000000"), (1e-7, "0.0000001"),
          (1.2345678901234568e17, "123456789012345680"), (1e16, "10000000000000000"),
          (1e15, "1000000000000000"), (8.11111111111111, "8.11111111111111"), (-0.0, "-0"),
          (5e-324, "0." + "0" * 323 + "5"), (123.456, "123.456"), (float("nan"), "NaN"),
          (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (-2.5e-6, "-0.0000025")]


def test_floats_print_shortest_round_trip_digits_without_exponent():
    frame = pl.DataFrame({"_value": [v for v, _ in FLOATS]})
    out = encode_results([("_result", TableStream.of(frame, []))],
                         Dialect(annotations=("default",)))
    rows = out.split("\r\n")[2:-2]
    assert [row.split(",")[3] for row in rows] == [text for _, text in FLOATS]


def test_times_trim_trailing_zeros_and_go_before_1970():
    cases = [(0, "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.000000001Z"),
             (-1, "1969-12-31T23:59:59.999999999Z"), (-1_500_000_000, "1969-12-31T23:59:58.5Z"),
             (1_704_067_200_120_000_000, "2024-01-01T00:00:00.12Z"),
             (-(2**63) + 1, "1677-09-21T00:12:43.145224193Z"),
             (2**63 - 1, "2262-04-11T23:47:16.854775807Z"),
             (-86_400 * 10**9 * 365, "1969-01-01T00:00:00Z")]
    frame = pl.DataFrame({"_time": times(*(ns for ns, _ in cases))})
    out = encode_results([("_result", TableStream.of(frame, []))], Dialect())
    assert out.split("\r\n")[1:-2] == [f",_result,0,{text}" for _, text in cases]
    # the same times as group-key values of an empty table
    empty = TableFrame(frame.head(0), ("_time",), empty=[(Time(ns),) for ns, _ in cases])
    out = encode_results([("_result", stream(empty))], Dialect(annotations=("default",)))
    defaults = [line for line in out.split("\r\n") if line.startswith("#default")]
    assert sorted(defaults) == sorted(f"#default,_result,{i},{text}"
                                      for i, (_, text) in enumerate(sorted(cases)))


def test_cells_are_quoted_as_gos_csv_writer_quotes_them():
    values = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\r\nlf", "lone\rcr", " lead", "\tx",
              "\u3000ideographic", "trail ", "\\.", "a;b", ""]
    frame = pl.DataFrame({"s": values, "x,y": list(range(len(values)))})
    out = encode_results([("my,result", TableStream.of(frame, []))], Dialect(annotations=ALL))
    assert out == (
        '#datatype,string,long,string,long\r\n'
        '#group,false,false,false,false\r\n'
        '#default,"my,result",,,\r\n'
        ',result,table,s,"x,y"\r\n'
        ',,0,plain,0\r\n'
        ',,0,"a,b",1\r\n'
        ',,0,"say ""hi""",2\r\n'
        ',,0,"two\r\nlines",3\r\n'
        ',,0,"cr\r\nlf",4\r\n'
        ',,0,"lonecr",5\r\n'
        ',,0," lead",6\r\n'
        ',,0,"\tx",7\r\n'
        ',,0,"\u3000ideographic",8\r\n'
        ',,0,trail ,9\r\n'
        ',,0,"\\.",10\r\n'
        ',,0,a;b,11\r\n'
        ',,0,,12\r\n'
        '\r\n')


def test_without_default_annotation_every_row_repeats_the_result_name():
    frame = pl.DataFrame({"_value": [1, 2]})
    out = encode_results([("my,result", TableStream.of(frame, []))], Dialect())
    assert out == crlf("""\
,result,table,_value
,"my,result",0,1
,"my,result",0,2

""")


def test_annotation_rows_come_in_the_order_requested():
    frame = pl.DataFrame({"host": ["a"], "_value": [1.0]})
    results = [("_result", TableStream.of(frame, ["host"]))]
    rows = ",,0,a,1\r\n\r\n"
    group_first = Dialect(annotations=("group", "datatype", "default"))
    default_first = Dialect(annotations=("default", "datatype", "group"))
    assert encode_results(results, group_first) == crlf("""\
#group,false,false,true,false
#datatype,string,long,string,double
#default,_result,,,
,result,table,host,_value
""") + rows
    assert encode_results(results, default_first) == crlf("""\
#default,_result,,,
#datatype,string,long,string,double
#group,false,false,true,false
,result,table,host,_value
""") + rows


def test_header_false_leaves_annotations_rows_and_blank_lines_between_blocks():
    first = TableFrame(pl.DataFrame({"_value": [1]}), ())
    second = TableFrame(pl.DataFrame({"_value": ["x"]}), ())
    out = encode_results([("_result", stream(first, second))],
                         Dialect(header=False, annotations=("datatype",)))
    assert out == crlf("""\
#datatype,string,long,long
,_result,0,1

#datatype,string,long,string
,_result,1,x

""")
    assert encode_results([("_result", stream(first))], Dialect(header=False)) == crlf("""\
,_result,0,1

""")


def test_another_delimiter_separates_and_quotes_cells():
    frame = pl.DataFrame({"s": ["a,b", "a;b"], "_value": [1.5, 2.0], "_time": times(0, 10**9)})
    out = encode_results([("_result", TableStream.of(frame, ["s"]))],
                         Dialect(delimiter=";", annotations=ALL))
    assert out == crlf("""\
#datatype;string;long;string;double;dateTime:RFC3339
#group;false;false;true;false;false
#default;_result;;;;
;result;table;s;_value;_time
;;0;a,b;1.5;1970-01-01T00:00:00Z
;;1;"a;b";2;1970-01-01T00:00:01Z

""")


def test_a_delimiter_found_in_numbers_or_names_quotes_them_too():
    frame = pl.DataFrame({"_value": [1.5, 2.0], "n": [1, 10]})
    out = encode_results([("r", TableStream.of(frame, []))], Dialect(delimiter="1"))
    assert out == crlf("""\
1result1table1_value1n
1r101"1.5"1"1"
1r10121"10"

""")
    out = encode_results([("r", TableStream.of(frame, []))],
                         Dialect(delimiter="a", annotations=("datatype",)))
    assert out.split("\r\n")[:2] == ['"#datatype"astringalongadoublealong',
                                      'aresulta"table"a"_value"an']


def test_dialect_from_json_defaults_and_what_it_ignores():
    assert Dialect.from_json(None) == Dialect()
    assert Dialect.from_json({}) == Dialect(header=True, delimiter=",", annotations=())
    client = {"header": True, "delimiter": ",", "annotations": ["datatype", "group", "default"],
              "commentPrefix": "#", "dateTimeFormat": "RFC3339"}
    assert Dialect.from_json(client) == Dialect(annotations=("datatype", "group", "default"))
    assert Dialect.from_json({"header": False, "delimiter": ";", "dateTimeFormat": "RFC3339Nano",
                              "commentPrefix": "", "annotations": None, "extra": 1}) == Dialect(
        header=False, delimiter=";")
    assert Dialect.from_json({"Header": False, "DELIMITER": "\t"}) == Dialect(False, "\t")
    assert Dialect.from_json({"header": None, "delimiter": "", "dateTimeFormat": ""}) == Dialect()
    assert Dialect.from_json({"annotations": ["group", "group"]}).annotations == ("group", "group")


@pytest.mark.parametrize(("dialect", "message"), [
    ({"delimiter": ",,"}, "invalid dialect delimeter: must be length 1"),
    ({"delimiter": "é"}, "invalid dialect delimeter: must be length 1"),
    ({"delimiter": "\ud800"}, "invalid dialect delimeter: must be length 1"),
    ({"commentPrefix": "//"}, "invalid dialect comment prefix: must be length 0 or 1"),
    ({"commentPrefix": "//", "delimiter": ",,"},
     "invalid dialect comment prefix: must be length 0 or 1"),
    ({"annotations": ["group", "datatypes"]}, "unknown dialect annotation type: datatypes"),
    ({"annotations": [None]}, "unknown dialect annotation type: "),
    ({"dateTimeFormat": "RFC1123"}, "unknown dialect date time format: RFC1123"),
    ({"header": "true"}, "json: cannot unmarshal string into Go struct field "
                         "QueryDialect.dialect.header of type bool"),
    ({"delimiter": 44}, "json: cannot unmarshal number into Go struct field "
                        "QueryDialect.dialect.delimiter of type string"),
    ({"annotations": "group"}, "json: cannot unmarshal string into Go struct field "
                               "QueryDialect.dialect.annotations of type []string"),
    ({"annotations": [1]}, "json: cannot unmarshal number into Go struct field "
                           "QueryDialect.dialect.annotations of type string"),
    ("csv", "json: cannot unmarshal string into Go struct field "
            "QueryRequest.dialect of type http.QueryDialect"),
])
def test_dialect_from_json_refuses_what_influxdb_refuses(dialect, message):
    with pytest.raises(DialectError) as caught:
        Dialect.from_json(dialect)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_dialect_itself_checks_delimiter_and_annotations():
    with pytest.raises(ValueError, match="must be length 1"):
        Dialect(delimiter="")
    with pytest.raises(ValueError, match="unknown dialect annotation type: all"):
        Dialect(annotations=("all",))
    assert Dialect(annotations=["group"]).annotations == ("group",)  # type: ignore[arg-type]


def test_a_delimiter_go_cannot_write_with_is_an_encoder_error():
    dialect = Dialect.from_json({"delimiter": '"'})  # InfluxDB accepts it, then fails to encode
    one = TableStream.of(pl.DataFrame({"_value": [1]}), [])
    with pytest.raises(DialectError, match="csv encoder error: csv: invalid field or comment"):
        encode_results([("_result", one)], dialect)
    assert encode_results([("_result", TableStream())], dialect) == "\r\n"


def test_error_table_after_output_started():
    data = TableStream.of(cpu(["A", "A"], [40.0, 40.1]), KEY)
    out = encode_results([("mean", data)], CLIENT) + encode_error("test error", CLIENT, True)
    assert out == HEAD.replace("_result", "mean") + crlf("""\
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:00Z,cpu,A,40
,,0,2018-04-17T00:00:00Z,2018-04-17T00:05:00Z,2018-04-17T00:00:01Z,cpu,A,40.1


#datatype,string,string
#group,true,true
#default,,
,error,reference
,test error,
""")


def test_error_table_follows_the_dialect_and_always_has_its_header():
    message = 'runtime error @2:6-2:20: map: type conflict: "int" != "float", see\nthis'
    assert encode_error(message, Dialect(header=False, delimiter=";", annotations=("group",)),
                        False) == (
        "#group;true;true\r\n"
        ";error;reference\r\n"
        ';"runtime error @2:6-2:20: map: type conflict: ""int"" != ""float"", see\r\nthis";\r\n')
    assert encode_error("boom", Dialect(), True) == "\r\n,error,reference\r\n,boom,\r\n"


class _Response:
    """Just enough of a urllib3 response for FluxCsvParser: already read and closed."""

    closed = True

    def __init__(self, body: str) -> None:
        self.data = body.encode()

    def close(self) -> None:
        pass


def _parse(body: str) -> list:
    parser_module = pytest.importorskip("influxdb_client.client.flux_csv_parser")
    mode = parser_module.FluxSerializationMode.tables
    parser = parser_module.FluxCsvParser(_Response(body), mode)
    list(parser.generator())
    return list(parser.tables)


def test_round_trip_through_influxdb_client_python_parser():
    values = pl.DataFrame({
        "_start": times(*["2024-01-01T00:00:00Z"] * 3),
        "_stop": times(*["2024-01-01T01:00:00Z"] * 3),
        "_time": times("2024-01-01T00:00:00.5Z", "2024-01-01T00:10:00Z", "1969-12-31T23:59:59Z"),
        "_value": [1.5, float("nan"), None],
        "_field": ["usage"] * 3,
        "_measurement": ["cpu"] * 3,
        "host": ["a,1", 'b "2"', "a,1"],
        "ok": [True, False, None],
        "n": pl.Series([2**64 - 1, 0, 7], dtype=pl.UInt64),
    })
    key = ("_start", "_stop", "_field", "_measurement", "host")
    counts = pl.DataFrame({"host": ["a,1"], "_value": [3]})
    empty = TableFrame(pl.DataFrame(schema={"host": pl.String, "_value": pl.Int64}), ("host",),
                       empty=[("z",)])
    results = [("_result", TableStream.of(values, key)),
               ("counts", stream(TableFrame(counts, ("host",)), empty))]
    tables = _parse(encode_results(results, CLIENT))
    assert len(tables) == 4
    first, second, third, fourth = tables
    assert [c.label for c in first.columns] == ["result", "table", *values.columns]
    assert [c.data_type for c in first.columns] == [
        "string", "long", "dateTime:RFC3339", "dateTime:RFC3339", "dateTime:RFC3339", "double",
        "string", "string", "string", "boolean", "unsignedLong"]
    assert [c.label for c in first.columns if c.group] == list(key)
    assert [c.label for c in second.columns] == [c.label for c in first.columns]
    assert [r.values["table"] for t in (first, second) for r in t.records] == [0, 0, 1]
    a0, a1 = first.records
    (b0,) = second.records
    assert a0.get_measurement() == "cpu" and a0.values["host"] == "a,1"
    assert a0.values["result"] == "_result"
    assert a0.get_time().isoformat() == "2024-01-01T00:00:00.500000+00:00"
    assert a0.get_value() == 1.5 and a0.values["ok"] is True and a0.values["n"] == 2**64 - 1
    assert a1.get_time().isoformat() == "1969-12-31T23:59:59+00:00"
    assert a1.get_value() is None and a1.values["ok"] is None and a1.values["n"] == 7
    assert b0.values["host"] == 'b "2"' and math.isnan(b0.get_value())
    assert b0.values["ok"] is False
    assert [(r.values["result"], r.values["table"], r.values["host"], r.get_value())
            for r in third.records] == [("counts", 0, "a,1", 3)]
    assert fourth.records == []
    assert [(c.label, c.group, c.default_value) for c in fourth.columns] == [
        ("result", False, "counts"), ("table", False, "1"), ("host", True, "z"),
        ("_value", False, "")]


def test_the_client_parser_raises_the_error_table():
    parser_module = pytest.importorskip("influxdb_client.client.flux_csv_parser")
    body = (encode_results([("_result", TableStream.of(pl.DataFrame({"_value": [1]}), []))],
                           CLIENT) + encode_error("failed: a, b", CLIENT, True))
    with pytest.raises(parser_module.FluxQueryException) as caught:
        _parse(body)
    assert caught.value.message == "failed: a, b" and caught.value.reference == ""


def test_a_large_table_is_encoded_whole():
    n = 200_000
    frame = pl.DataFrame({"_time": pl.Series(range(0, n * 10**9, 10**9)).cast(TIME_DTYPE),
                          "_value": [i / 7 for i in range(n)], "host": ["h"] * n})
    out = encode_results([("_result", TableStream.of(frame, ["host"]))], CLIENT)
    lines = out.split("\r\n")
    assert len(lines) == 4 + n + 2
    assert lines[5] == ",,0,1970-01-01T00:00:01Z,0.14285714285714285,h"


def test_tables_of_one_flux_schema_in_different_polars_dtypes_share_a_block():
    nulls = pl.DataFrame({"k": ["a"], "s": pl.Series([None]),
                          "_time": pl.Series([1_500_000], dtype=pl.Int64).cast(pl.Datetime("us"))})
    typed = pl.DataFrame({"k": ["b"], "s": ["x"], "_time": times(2 * 10**9)})
    paris = typed.with_columns(k=pl.lit("c"),
                               _time=pl.col("_time").dt.convert_time_zone("Europe/Paris"))
    frames = [TableFrame(f, ("k",)) for f in (nulls, typed, paris)]
    out = encode_results([("_result", stream(*frames))], Dialect(annotations=("datatype",)))
    assert out == crlf("""\
#datatype,string,long,string,string,dateTime:RFC3339
,result,table,k,s,_time
,_result,0,a,,1970-01-01T00:00:01.5Z
,_result,1,b,x,1970-01-01T00:00:02Z
,_result,2,c,x,1970-01-01T00:00:02Z

""")
