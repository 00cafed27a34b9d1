"""Package `internal/testing`: the helpers upstream's own test files use beside `testing`,
written in Flux over it as upstream writes them.

- `assertMatches(got:, want:)`: the string `got` must match the regex `want` (else an error
  quoting both).
- `shouldErrorWithCode(fn:, want:, code:)`: `fn()` must fail with a message matching `want` and
  the error code `code`; tsengine's `experimental.catch` reports every error with code 3
  (upstream's `invalid`), so only that code can match.
"""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
import "array"
import "experimental"
import "regexp"
import "testing"

shouldErrorWithCode = (fn, want, code) => {
    caught = experimental.catch(fn: fn)

    return
        if exists caught.msg then
            testing.diff(
                got: array.from(rows: [{code: caught.code, match: caught.msg =~ want}]),
                want: array.from(rows: [{code: code, match: true}]),
            )
        else
            die(msg: "shouldErrorWithCode expected an error")
}

assertMatches = (got, want) =>
    if got =~ want then
        testing.assertEqualValues(got: "", want: "")
    else
        die(msg: "Regex `${regexp.getString(r: want)}` does not match `${got}`")
""", package="internal/testing")
