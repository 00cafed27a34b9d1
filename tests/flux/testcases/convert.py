"""Write conformance cases (tests/flux/cases) in their Flux form: `<name>_test.flux` files here,
run by `tsengine test` (tests/testing/test_testcases.py). Run once, by hand:

    .venv/bin/python tests/flux/testcases/convert.py [NAME...]

A case converts when its expectation is one result of annotated CSV (`.out.csv`) and its script
is one query expression with the statements it needs (no `yield`, `to` or `testcase`). Its
line protocol becomes annotated CSV as a storage read returns it (one table per series, without
`_start`/`_stop`), written to bucket "test" with `to()` at the start of the testcase; the query
runs unchanged after it, at the clock the conformance suite uses, and `testing.diff` compares
its output with the case's `.out.csv`.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tsengine import Engine  # noqa: E402
from tsengine.flux import ast  # noqa: E402
from tsengine.flux.parser import parse  # noqa: E402
from tsengine.stdlib.csv.decode import decode  # noqa: E402

CASES = ROOT / "tests" / "flux" / "cases"
OUT = Path(__file__).resolve().parent
NOW = "2024-01-02T00:00:00Z"  # the conformance suite's clock
RESERVED = ("inData", "outData", "got", "csv", "testing")
# cases whose expectation has empty string cells the query really returns: annotated CSV reads
# an empty cell back as null, so their Flux form cannot tell the difference
EMPTY_STRINGS = ("dist_missing_column", "pkg_regexp_map", "pkg_strings_split")
LEFT_OUT = ("fix_",)  # cases still being written when these were converted
PER_PREFIX = 2  # cases converted per name prefix (agg_, win_...) when none are named
ALSO = ("tbl_findrecord", "tbl_tablefind_getcolumn")  # streams run mid-script after to()
READ = ('from(bucket: "test") |> range(start: 1677-09-22T00:00:00Z, stop: 2262-04-11T00:00:00Z)'
        ' |> drop(columns: ["_start", "_stop"])')


def convertible(name: str) -> str | None:
    """Why a case cannot be converted, or None."""
    flux = (CASES / f"{name}.flux").read_text()
    if name in EMPTY_STRINGS:
        return "its expectation has empty strings, which annotated CSV reads back as nulls"
    if not (CASES / f"{name}.out.csv").exists():
        return "its expectation is an error"
    if re.search(r"\b(yield|to|testcase)\s*\(|\btestcase\b|experimental\.to", flux):
        return "it yields, writes or has testcases"
    file = parse(flux)
    exprs = [s for s in file.body if isinstance(s, ast.ExpressionStatement)]
    if len(exprs) != 1 or file.body[-1] is not exprs[0]:
        return "it is not one query expression at the end"
    names = {s.name for s in file.body if isinstance(s, ast.VariableAssignment)}
    names |= {i.alias or i.path.rsplit("/", 1)[-1] for i in file.imports if i.path != "csv"}
    if names & set(RESERVED):
        return "it defines a name the test uses"
    if any(i.path == "csv" and i.alias for i in file.imports):
        return "it imports csv under another name"
    want = (CASES / f"{name}.out.csv").read_text()
    if len(set(re.findall(r"^#default,([^,\r\n]*)", want, re.M))) != 1:
        return "its expectation is not one result"
    if not any(t.frame.height for t in decode(want).tables()):
        return "its expectation has no rows (a diff cannot tell an empty table from none)"
    return None


def input_csv(name: str) -> str | None:
    """The case's points as a storage read returns them, as annotated CSV (None: no input)."""
    data = CASES / f"{name}.in.lp"
    if not data.exists() or not data.read_text().strip():
        return None
    with tempfile.TemporaryDirectory() as tmp, Engine.open(Path(tmp) / "data") as engine:
        engine.create_bucket("test")
        engine.write("test", data.read_text())
        text = engine.query_csv(READ)
    return text.replace("\r\n", "\n").strip() + "\n" if text.strip() else None


def flux_string(text: str) -> str:
    """Text as a Flux string literal spanning lines."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return f'"\n{escaped}"'


def source_of(source: str, node: ast.Node) -> str:
    """The text a node spans."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    span = node.span
    return source[starts[span.line - 1] + span.col - 1:starts[span.end_line - 1] + span.end_col - 1]


def test_file(name: str) -> str:
    flux = (CASES / f"{name}.flux").read_text()
    file = parse(flux)
    imports = ['import "csv"', 'import "testing"']
    imports += [source_of(flux, i) for i in file.imports if i.path not in ("csv", "testing")]
    *before, query = file.body
    assert isinstance(query, ast.ExpressionStatement)
    data = input_csv(name)
    want = (CASES / f"{name}.out.csv").read_text().replace("\r\n", "\n").strip() + "\n"
    lines = [f"// The conformance case tests/flux/cases/{name} in Flux form (written by",
             "// convert.py): its points written to bucket \"test\", its query's output compared",
             "// with its .out.csv.", *imports, "", f"option now = () => {NOW}", ""]
    if data is not None:
        lines += [f"inData = {flux_string(data)}", ""]
    lines += [f"outData = {flux_string(want)}", "", f"testcase {name} {{"]
    if data is not None:
        lines.append('    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")')
    lines += [_indent(source_of(flux, s), _multiline_string(s)) for s in before]
    got = "got =\n" + _indent(source_of(flux, query.expression), _multiline_string(query))
    lines.append(_indent(got, _multiline_string(query)))
    lines += ["    testing.diff(got: got, want: csv.from(csv: outData))", "}", ""]
    return "\n".join(lines)


def _indent(text: str, verbatim: bool = False) -> str:
    """Text indented by four spaces (`verbatim`: as it is, a string literal spans lines)."""
    if verbatim:
        return text
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.splitlines())


def _multiline_string(node: ast.Node) -> bool:
    return any(isinstance(n, ast.StringLit) and n.span.line != n.span.end_line
               for n in ast.walk(node))


def main(names: list[str]) -> None:
    """Convert the cases named (all that can be: `--all`; none: PER_PREFIX of each prefix and
    ALSO)."""
    every = sorted(p.name.removesuffix(".flux") for p in CASES.glob("*.flux"))
    chosen = every if names in ([], ["--all"]) else names
    taken: dict[str, int] = {}
    for name in chosen:
        reason = convertible(name)
        if reason is not None:
            if names:
                print(f"{name}: skipped: {reason}")
            continue
        prefix = name.split("_", 1)[0]
        if not names and name.startswith(LEFT_OUT):
            continue
        if not names and taken.get(prefix, 0) >= PER_PREFIX and name not in ALSO:
            continue
        taken[prefix] = taken.get(prefix, 0) + 1
        (OUT / f"{name}_test.flux").write_text(test_file(name))
        print(f"{name}: written")


if __name__ == "__main__":
    main(sys.argv[1:])
