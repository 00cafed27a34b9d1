// The conformance case tests/flux/cases/src_array_group_range in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "array"

option now = () => 2024-01-02T00:00:00Z

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,double
#group,false,false,true,true,false,true,false
#default,_result,,,,,,
,result,table,_start,_stop,_time,host,_value
,,0,2024-01-01T00:05:00Z,2024-01-01T01:00:00Z,2024-01-01T00:10:00Z,a,3
,,1,2024-01-01T00:05:00Z,2024-01-01T01:00:00Z,2024-01-01T00:20:00Z,b,4
"

testcase src_array_group_range {
    got =
        array.from(
            rows: [
                {_time: 2024-01-01T00:00:00Z, host: "a", _value: 1.0},
                {_time: 2024-01-01T00:00:00Z, host: "b", _value: 2.0},
                {_time: 2024-01-01T00:10:00Z, host: "a", _value: 3.0},
                {_time: 2024-01-01T00:20:00Z, host: "b", _value: 4.0},
            ],
        )
            |> group(columns: ["host"])
            |> range(start: 2024-01-01T00:05:00Z, stop: 2024-01-01T01:00:00Z)
    testing.diff(got: got, want: csv.from(csv: outData))
}
