// The conformance case tests/flux/cases/sel_bottom_nulls in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,id
,,0,2024-01-01T00:00:00Z,20,temp,sensor,s
,,0,2024-01-01T00:02:00Z,25,temp,sensor,s
,,0,2024-01-01T00:03:00Z,22,temp,sensor,s
,,0,2024-01-01T00:05:00Z,20,temp,sensor,s
,,1,2024-01-01T00:00:00Z,1,usage,sensor,s
,,1,2024-01-01T00:01:00Z,2,usage,sensor,s
,,1,2024-01-01T00:02:00Z,3,usage,sensor,s
,,1,2024-01-01T00:03:00Z,4,usage,sensor,s
,,1,2024-01-01T00:04:00Z,5,usage,sensor,s
,,1,2024-01-01T00:05:00Z,6,usage,sensor,s
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double,double
#group,false,false,true,true,false,true,true,false,false
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_measurement,id,temp,usage
,,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:01:00Z,sensor,s,,2
,,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:04:00Z,sensor,s,,5
,,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:00:00Z,sensor,s,20,1
"

testcase sel_bottom_nulls {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
            |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
            |> bottom(n: 3, columns: ["temp"])
    testing.diff(got: got, want: csv.from(csv: outData))
}
