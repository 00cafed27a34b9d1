// The conformance case tests/flux/cases/exp_add_duration in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "experimental"
import "array"

option now = () => 2024-01-02T00:00:00Z

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339
#group,false,false,false,false,false,false
#default,_result,,,,,
,result,table,a,b,c,d
,,0,2024-02-29T12:00:00Z,2024-01-01T01:30:00Z,2025-02-28T00:00:00Z,2024-01-03T00:00:00Z
"

testcase exp_add_duration {
    got =
        array.from(
            rows: [
                {
                    a: experimental.addDuration(d: 1mo, to: 2024-01-31T12:00:00Z),
                    b: experimental.addDuration(d: 1h30m, to: 2024-01-01T00:00:00Z),
                    c: experimental.addDuration(d: 1y, to: 2024-02-29T00:00:00Z),
                    d: experimental.addDuration(d: 2d, to: -1d),
                },
            ],
        )
    testing.diff(got: got, want: csv.from(csv: outData))
}
