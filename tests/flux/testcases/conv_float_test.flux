// The conformance case tests/flux/cases/conv_float in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,long,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,1,v,m,a
,,0,2024-01-01T00:00:10Z,-3,v,m,a
,,1,2024-01-01T00:00:00Z,7,v,m,b
"

outData = "
#datatype,string,long,string,string,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string
#group,false,false,true,true,true,true,false,false,true
#default,_result,,,,,,,,
,result,table,_field,_measurement,_start,_stop,_time,_value,host
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,a
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,-3,a
,,1,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,7,b
"

testcase conv_float {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> toFloat()
    testing.diff(got: got, want: csv.from(csv: outData))
}
