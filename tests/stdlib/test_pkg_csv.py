"""csv.from's decoder: annotated CSV as flux's result decoder reads it (annotations in any
order, defaults, empty tables, table ids, Go's value syntax, its errors) and raw mode."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.flux.values import Time
from tsengine.stdlib.csv.decode import CsvError, decode

HEAD = "#datatype,string,long,{types}\n#group,false,false,{groups}\n#default,_result,,{defaults}\n"


def text(types: str, groups: str, labels: str, *rows: str, defaults: str | None = None) -> str:
    if defaults is None:
        defaults = "," * types.count(",")
    head = HEAD.format(types=types, groups=groups, defaults=defaults)
    return head + f",result,table,{labels}\n" + "".join(r + "\n" for r in rows)


def both(engine, flux: str) -> list[tuple[dict, list[str], list]]:
    """(key, columns, _value values) per table, the same with the planner's rules on and off."""
    runs = [[(t.key_record(), t.frame.columns, t.frame["_value"].to_list())
             for t in engine.query(flux, disabled_rules=off)["_result"]]
            for off in ((), ("all",))]
    assert runs[0] == runs[1]
    return runs[0]


def tables(source: str, raw: bool = False) -> list[tuple[dict, list[str], list[tuple]]]:
    return [(t.key_record(), t.frame.columns, t.frame.rows()) for t in decode(source, raw).tables()]


def test_types_and_nulls():
    source = text("boolean,long,unsignedLong,double,string,dateTime:RFC3339",
                  "false,false,false,false,false,false", "b,i,u,f,s,t",
                  ",,0,T,-3,7,+Inf,x,2024-01-01T00:00:00.5+01:00",
                  ",,0,0,,,NaN,,2024-01-01T00:00:00Z")
    (key, columns, rows), = tables(source)
    assert key == {} and columns == ["b", "i", "u", "f", "s", "t"]
    assert rows[0][:5] == (True, -3, 7, float("inf"), "x")
    assert rows[1][:3] == (False, None, None) and rows[1][3] != rows[1][3] and rows[1][4] is None
    stream = decode(source)
    times = stream.frames[0].frame["t"].dt.epoch("ns").to_list()
    assert times == [1704063600500000000, 1704067200000000000]


def test_group_key_and_table_ids():
    source = text("string,long", "true,false", "k,v",
                  ",,0,a,1", ",,,a,2", ",,1,b,3")
    assert tables(source) == [({"k": "a"}, ["k", "v"], [("a", 1), ("a", 2)]),
                              ({"k": "b"}, ["k", "v"], [("b", 3)])]


def test_first_row_keys_gives_a_table_its_first_rows_key():
    """flux keys a table by its first row's cells; with first_row_keys a later row's differing
    key cell (`a'`, `z`) stays in that table, which takes the key's values; a new id is a new
    table (even with the first table's key values), an empty id continues the table. Without
    it, rows are tables by their own key cells (as group() regroups flux's rows)."""
    source = text("string,string,long", "true,true,false", "k,j,v",
                  ",,0,a,x,1", ",,,a',x,2", ",,0,a,z,3", ",,1,b,x,4", ",,,c,y,5", ",,2,a,x,6")
    assert first_row_keys(source) == [
        ({"k": "a", "j": "x"}, [("a", "x", 1), ("a", "x", 2), ("a", "x", 3), ("a", "x", 6)]),
        ({"k": "b", "j": "x"}, [("b", "x", 4), ("b", "x", 5)])]
    assert [(key, rows) for key, _, rows in tables(source)] == [
        ({"k": "a", "j": "x"}, [("a", "x", 1), ("a", "x", 6)]),
        ({"k": "a", "j": "z"}, [("a", "z", 3)]),
        ({"k": "a'", "j": "x"}, [("a'", "x", 2)]),
        ({"k": "b", "j": "x"}, [("b", "x", 4)]),
        ({"k": "c", "j": "y"}, [("c", "y", 5)])]
    # a first row without an id: the next row with one starts a table
    source = text("string,long", "true,false", "k,v", ",,,a,1", ",,,b,2", ",,0,c,3", ",,,d,4")
    assert first_row_keys(source) == [({"k": "a"}, [("a", 1), ("a", 2)]),
                                      ({"k": "c"}, [("c", 3), ("c", 4)])]


def first_row_keys(source: str) -> list[tuple[dict, list[tuple]]]:
    return [(t.key_record(), t.frame.rows()) for t in decode(source, first_row_keys=True).tables()]


def test_diff_of_csv_from_sees_flux_keys(engine):
    """upstream's to_float testcase: want's second row has k0` for k0, a key cell; flux's
    table has key k0 and the diff finds no difference. group() regroups by the row's cell."""
    want = text("string,double", "true,false", "_field,_value", ",,0,k0,1.0", ",,0,k0`,0.0")
    got = text("string,double", "true,false", "_field,_value", ",,0,k0,1.0", ",,0,k0,0.0")
    flux = (f'import "csv"\nimport "experimental"\nimport "testing"\n'
            f'want = csv.from(csv: "{want}")\n'
            f'got = csv.from(csv: "{got}")\n')
    assert engine.query(flux + "testing.diff(want: want, got: got)") == {"errorOutput": []}
    assert engine.query(flux + "experimental.diff(want: want, got: got)") == {"_result": []}
    regrouped = engine.query(flux + 'want |> group(columns: ["_field"]) |> yield()')["_result"]
    assert [t.key_record()["_field"] for t in regrouped] == ["k0", "k0`"]


def test_defaults_fill_empty_cells_and_make_empty_tables():
    source = text("string,double", "true,false", "k,v", ",,0,,", defaults="x,1.5")
    source += "\n" + text("string,long", "true,false", "k,n", defaults="y,").replace(
        "#default,_result,,", "#default,_result,4,")
    got = tables(source)
    assert got[0] == ({"k": "x"}, ["k", "v"], [("x", 1.5)])
    assert got[1] == ({"k": "y"}, ["k", "n"], [])


def test_annotations_in_any_order_unknown_ones_ignored_and_bom():
    source = ("\ufeff#group,false,false,true\n#note,x,,\n#default,_result,,\n"
              "#datatype,string,long,dateTime:RFC3339\n,result,table,_start\n"
              ",,0,2024-01-01T00:00:00Z\n")
    (key, _, _), = tables(source)
    assert key == {"_start": Time(1704067200000000000)}


def test_quoted_cells_hold_delimiters_and_newlines():
    source = text("string", "false", "s", ',,0,"a,b"', ',,0,"line\nnext"', ',,0,"say ""hi"""')
    (_, _, rows), = tables(source)
    assert rows == [("a,b",), ("line\nnext",), ('say "hi"',)]


def test_raw_mode_reads_strings_with_a_header():
    assert tables("x,y\n1,\n2,b\n", raw=True) == [({}, ["x", "y"], [("1", None), ("2", "b")])]
    assert tables("x,y\n", raw=True) == [({}, ["x", "y"], [])]


@pytest.mark.parametrize("source, message", [
    ("#group,false,false,false\n#default,_result,,\n,result,table,v\n,,0,1\n",
     "missing expected annotation datatype"),
    ("#datatype,string,long,long\n#default,_result,,\n,result,table,v\n",
     "missing expected annotation group"),
    ("#datatype,string,long,long\n#group,false,false,false\n#default,_result,,\n",
     "missing expected header row"),
    ("#datatype,string,long,long\n#group,false,false\n", "wrong number of fields"),
    ("#datatype,string,long,long\n#group,false,false,false\n#default,_result,x,\n"
     ",result,table,v\n", "default Table ID is not an integer"),
    ("#datatype,string,long,long\n#group,false,false,false\n#default,_result,,\n"
     ",result,table,v\n,,0,1,2\n", "wrong number of fields"),
    ("#datatype,string,long,long\n#group,false,false,false\n#default,_result,,\n"
     ",result,table,v\n", "missing table ID"),
    ("#datatype,string,long,long\n#group,false,false,false\n#default,_result,,x\n"
     ",result,table,v\n", 'column "v" has invalid default value: strconv.ParseInt'),
    ("#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,boom,\n",
     "boom"),
    (text("boolean", "false", "b", ",,0,yes"), 'strconv.ParseBool: parsing "yes"'),
    (text("unsignedLong", "false", "u", ",,0,-1"), 'strconv.ParseUint: parsing "-1"'),
    (text("long", "false", "i", ",,0,99999999999999999999"), "value out of range"),
    (text("dateTime:RFC3339", "false", "t", ",,0,2024-01-01"), 'parsing time "2024-01-01"'),
])
def test_errors(source, message):
    with pytest.raises(CsvError, match=message):
        decode(source)


def test_go_float_syntax_polars_lacks():
    (_, _, rows), = tables(text("double", "false", "f", ",,0,0x1p-2", ",,0,-infinity"))
    assert rows == [(0.25,), (float("-inf"),)]


def test_csv_from_in_a_query_with_range(engine):
    data = text("dateTime:RFC3339,double,string", "false,false,true", "_time,_value,k",
                ",,0,2024-01-01T00:00:00Z,1,a", ",,0,2024-01-01T00:00:30Z,2,a")
    flux = (f'import "csv"\ncsv.from(csv: "{data}")\n'
            "  |> range(start: 2024-01-01T00:00:10Z, stop: 2024-01-01T01:00:00Z)")
    (key, columns, values), = both(engine, flux)
    assert key["k"] == "a" and values == [2.0]
    assert columns == ["_start", "_stop", "_time", "_value", "k"]


def test_csv_from_arguments(engine):
    with pytest.raises(FluxRuntimeError, match="must provide csv raw text or filename"):
        engine.query('import "csv"\ncsv.from()')
    with pytest.raises(FluxRuntimeError, match="file is not supported"):
        engine.query('import "csv"\ncsv.from(file: "/etc/passwd")')
    with pytest.raises(FluxRuntimeError, match=r"csv.from: .*only parse 1 result"):
        two = text("long", "false", "v", ",,0,1")
        engine.query(f'import "csv"\ncsv.from(csv: "{two}\n{two.replace("_result", "b")}")')
