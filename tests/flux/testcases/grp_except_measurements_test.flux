// The conformance case tests/flux/cases/grp_except_measurements in Flux form (written by
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
,,0,2024-01-01T00:02:00Z,4,free,disk,x,b
,,1,2024-01-01T00:00:00Z,2,free,disk,y,a

#datatype,string,long,dateTime:RFC3339,string,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,dc,host
,,2,2024-01-01T00:00:00Z,m,msg,log,x,a

#datatype,string,long,dateTime:RFC3339,double,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,dc,host
,,3,2024-01-01T00:00:00Z,1,usage,cpu,x,a
,,4,2024-01-01T00:01:00Z,3,usage,cpu,x,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string
#group,false,false,true,true,false,false,false,true,true,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,dc,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,usage,cpu,x,a
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,3,usage,cpu,x,b
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:02:00Z,4,free,disk,x,b
,,2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,2,free,disk,y,a

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,string,string
#group,false,false,true,true,false,false,false,true,true,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,dc,host
,,3,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,m,msg,log,x,a
"

testcase grp_except_measurements {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> group(columns: ["_time", "_value", "host", "_field"], mode: "except")
            |> sort(columns: ["_time", "_value"])
    testing.diff(got: got, want: csv.from(csv: outData))
}
