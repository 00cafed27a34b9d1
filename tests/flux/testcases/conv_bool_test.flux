// The conformance case tests/flux/cases/conv_bool in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,unsignedLong,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,1,v,m,a
,,0,2024-01-01T00:00:10Z,0,v,m,a
"

outData = "
#datatype,string,long,string,string,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,boolean,string
#group,false,false,true,true,true,true,false,false,true
#default,_result,,,,,,,,
,result,table,_field,_measurement,_start,_stop,_time,_value,host
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,true,a
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,false,a
"

testcase conv_bool {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> toBool()
    testing.diff(got: got, want: csv.from(csv: outData))
}
