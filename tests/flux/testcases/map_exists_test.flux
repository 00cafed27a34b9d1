// The conformance case tests/flux/cases/map_exists in Flux form (written by
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

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,1,2024-01-01T00:00:00Z,2,usage,cpu,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string,boolean
#group,false,false,true,true,false,false,true,true,true,true,false
#default,_result,,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,dc,host,hasdc
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,usage,cpu,x,a,true

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,boolean
#group,false,false,true,true,false,false,true,true,true,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host,hasdc
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,2,usage,cpu,b,false
"

testcase map_exists {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> map(fn: (r) => ({r with hasdc: exists r.dc}))
    testing.diff(got: got, want: csv.from(csv: outData))
}
