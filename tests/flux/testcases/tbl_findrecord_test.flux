// The conformance case tests/flux/cases/tbl_findrecord in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "array"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,1,usage,cpu,a
,,0,2024-01-01T00:01:00Z,2,usage,cpu,a
,,1,2024-01-01T00:00:00Z,5,usage,cpu,b
,,1,2024-01-01T00:01:00Z,7,usage,cpu,b
"

outData = "
#datatype,string,long,double,string,boolean,boolean
#group,false,false,false,false,false,false
#default,_result,,,,,
,result,table,value,host,nothing,past
,,0,5,b,false,false
"

testcase tbl_findrecord {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    data = from(bucket: "test")
        |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    rec = data |> findRecord(fn: (key) => key.host == "b", idx: 0)
    nothing = data |> findRecord(fn: (key) => key.host == "z", idx: 0)
    past = data |> findRecord(fn: (key) => key.host == "b", idx: 9)
    got =
        array.from(rows: [{value: rec._value, host: rec.host, nothing: exists nothing._value, past: exists past._value}])
    testing.diff(got: got, want: csv.from(csv: outData))
}
