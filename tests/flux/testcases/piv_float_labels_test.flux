// The conformance case tests/flux/cases/piv_float_labels in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,1,usage,cpu,a
,,0,2024-01-01T00:01:00Z,2,usage,cpu,a
,,0,2024-01-01T00:02:00Z,1,usage,cpu,a
,,0,2024-01-01T00:03:00Z,3,usage,cpu,a
,,1,2024-01-01T00:00:00Z,7,usage,cpu,b
,,1,2024-01-01T00:01:00Z,7,usage,cpu,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,string,string,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339
#group,false,false,true,true,true,true,true,false,false,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_field,_measurement,host,1E+00,2E+00,3E+00
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,usage,cpu,a,2024-01-01T00:02:00Z,2024-01-01T00:01:00Z,2024-01-01T00:03:00Z

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,string,string,dateTime:RFC3339
#group,false,false,true,true,true,true,true,false
#default,_result,,,,,,,
,result,table,_start,_stop,_field,_measurement,host,7E+00
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,usage,cpu,b,2024-01-01T00:01:00Z
"

testcase piv_float_labels {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> filter(fn: (r) => r._measurement == "cpu")
            |> pivot(rowKey: ["_field"], columnKey: ["_value"], valueColumn: "_time")
    testing.diff(got: got, want: csv.from(csv: outData))
}
