// The conformance case tests/flux/cases/cum_float_uint in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1.5,v,f,a
,,0,2024-01-01T00:00:10Z,0.25,v,f,a

#datatype,string,long,dateTime:RFC3339,unsignedLong,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,1,2024-01-01T00:00:00Z,9,v,u,a
,,1,2024-01-01T00:00:10Z,3,v,u,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1.5,v,f,a
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,1.75,v,f,a

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,unsignedLong,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,9,v,u,a
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,12,v,u,a
"

testcase cum_float_uint {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> cumulativeSum()
    testing.diff(got: got, want: csv.from(csv: outData))
}
