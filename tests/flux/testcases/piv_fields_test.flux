// The conformance case tests/flux/cases/piv_fields in Flux form (written by
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
,,0,2024-01-01T00:01:00Z,41,hum,w,x
,,1,2024-01-01T00:00:00Z,20,temp,w,x
,,1,2024-01-01T00:01:00Z,21,temp,w,x
,,2,2024-01-01T00:00:00Z,10,temp,w,y
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double,double
#group,false,false,true,true,false,true,true,false,false
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_measurement,loc,hum,temp
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,w,x,40,20
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,w,x,41,21

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,double
#group,false,false,true,true,false,true,true,false
#default,_result,,,,,,,
,result,table,_start,_stop,_time,_measurement,loc,temp
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,w,y,10
"

testcase piv_fields {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    testing.diff(got: got, want: csv.from(csv: outData))
}
