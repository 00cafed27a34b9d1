// The conformance case tests/flux/cases/win_agg_count_no_empty in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,string,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,boot,msg,log,a
,,0,2024-01-01T00:01:10Z,ok,msg,log,a

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,1,2024-01-01T00:00:00Z,1,usage,cpu,a
,,1,2024-01-01T00:00:40Z,2,usage,cpu,a
,,1,2024-01-01T00:01:20Z,3,usage,cpu,a
,,1,2024-01-01T00:02:10Z,4,usage,cpu,a
,,1,2024-01-01T00:04:50Z,5,usage,cpu,a
,,2,2024-01-01T00:00:20Z,10,usage,cpu,b
,,2,2024-01-01T00:03:30Z,20,usage,cpu,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,long,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:01:00Z,2,usage,cpu,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:02:00Z,1,usage,cpu,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:03:00Z,1,usage,cpu,a
,,0,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:05:00Z,1,usage,cpu,a
,,1,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:01:00Z,1,usage,cpu,b
,,1,2024-01-01T00:00:00Z,2024-01-01T00:05:00Z,2024-01-01T00:04:00Z,1,usage,cpu,b
"

testcase win_agg_count_no_empty {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:05:00Z)
            |> filter(fn: (r) => r._measurement == "cpu")
            |> aggregateWindow(every: 1m, fn: count, createEmpty: false)
    testing.diff(got: got, want: csv.from(csv: outData))
}
