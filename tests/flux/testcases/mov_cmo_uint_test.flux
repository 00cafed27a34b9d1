// The conformance case tests/flux/cases/mov_cmo_uint in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,5,v,m,a
,,0,2024-01-01T00:00:10Z,3,v,m,a
,,0,2024-01-01T00:00:20Z,8,v,m,a
,,0,2024-01-01T00:00:30Z,8,v,m,a
,,0,2024-01-01T00:00:40Z,2,v,m,a
,,0,2024-01-01T00:00:50Z,9,v,m,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:20Z,100,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:30Z,NaN,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:40Z,100,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:50Z,100,v,m,a
"

testcase mov_cmo_uint {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:10:00Z)
            |> chandeMomentumOscillator(n: 2)
    testing.diff(got: got, want: csv.from(csv: outData))
}
