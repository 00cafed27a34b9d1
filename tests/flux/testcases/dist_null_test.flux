// The conformance case tests/flux/cases/dist_null in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,loc
,,0,2024-01-01T00:00:00Z,40,hum,w,x
,,0,2024-01-01T00:02:00Z,50,hum,w,x
,,0,2024-01-01T00:03:00Z,30,hum,w,x
,,1,2024-01-01T00:00:00Z,3,temp,w,x
,,1,2024-01-01T00:01:00Z,1,temp,w,x
,,1,2024-01-01T00:03:00Z,3,temp,w,x
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,string,double
#group,false,false,true,true,true,true,false
#default,_result,,,,,,
,result,table,_start,_stop,_measurement,loc,_value
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,w,x,3
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,w,x,
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,w,x,1
"

testcase dist_null {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
            |> distinct(column: "temp")
    testing.diff(got: got, want: csv.from(csv: outData))
}
