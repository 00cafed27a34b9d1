// The conformance case tests/flux/cases/grp_except in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,dc,host
,,0,2024-01-01T00:00:00Z,1,usage,cpu,x,a
,,0,2024-01-01T00:01:00Z,2,usage,cpu,x,a
,,1,2024-01-01T00:00:00Z,3,usage,cpu,x,b
,,2,2024-01-01T00:01:00Z,4,usage,cpu,y,b
,,3,2024-01-01T00:00:00Z,5,used,mem,x,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string
#group,false,false,true,true,false,false,true,true,false,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,dc,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,usage,cpu,x,a
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,3,usage,cpu,x,b
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,2,usage,cpu,x,a
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,4,usage,cpu,y,b
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,5,used,mem,x,a
"

testcase grp_except {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> group(columns: ["_time", "_value", "host", "dc"], mode: "except")
            |> sort(columns: ["_time", "_value"])
    testing.diff(got: got, want: csv.from(csv: outData))
}
