// The conformance case tests/flux/cases/prune_drop_tag in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,9,free,mem,a

#datatype,string,long,dateTime:RFC3339,double,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,host,region
,,1,2024-01-01T00:00:00Z,1,usage,cpu,a,eu
,,1,2024-01-01T00:00:20Z,3,usage,cpu,a,eu
,,2,2024-01-01T00:00:40Z,5,usage,cpu,a,us
,,3,2024-01-01T00:00:10Z,2,usage,cpu,b,eu
,,3,2024-01-01T00:00:30Z,4,usage,cpu,b,eu
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,region
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,usage,cpu,eu
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:20Z,3,usage,cpu,eu
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,2,usage,cpu,eu
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:30Z,4,usage,cpu,eu
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:40Z,5,usage,cpu,us
"

testcase prune_drop_tag {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> filter(fn: (r) => r._measurement == "cpu")
            |> drop(columns: ["host"])
    testing.diff(got: got, want: csv.from(csv: outData))
}
