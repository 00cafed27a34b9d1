// The conformance case tests/flux/cases/mov_cmo in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,2,v,m,a
,,0,2024-01-01T00:00:10Z,4,v,m,a
,,0,2024-01-01T00:00:20Z,5,v,m,a
,,0,2024-01-01T00:00:30Z,9,v,m,a
,,0,2024-01-01T00:00:40Z,8,v,m,a
,,0,2024-01-01T00:00:50Z,11,v,m,a
,,0,2024-01-01T00:01:00Z,15,v,m,a
,,0,2024-01-01T00:01:10Z,12,v,m,a
,,0,2024-01-01T00:01:20Z,5,v,m,a
,,0,2024-01-01T00:01:30Z,7,v,m,a
,,1,2024-01-01T00:00:00Z,3,v,m,b
,,1,2024-01-01T00:00:10Z,1,v,m,b
,,1,2024-01-01T00:00:20Z,6,v,m,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:30Z,100,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:40Z,66.66666666666667,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:00:50Z,75,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:01:00Z,75,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:01:10Z,40,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:01:20Z,-42.857142857142854,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,2024-01-01T00:01:30Z,-66.66666666666667,v,m,a

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,1,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,,,v,m,b
,result,table,_start,_stop,_time,_value,_field,_measurement,host
"

testcase mov_cmo {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:10:00Z)
            |> chandeMomentumOscillator(n: 3)
    testing.diff(got: got, want: csv.from(csv: outData))
}
