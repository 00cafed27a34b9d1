// The conformance case tests/flux/cases/diff_columns_absent in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1.5,v,m,a
,,0,2024-01-01T00:00:10Z,2.5,v,m,a
,,0,2024-01-01T00:00:20Z,2,v,m,a
,,1,2024-01-01T00:00:00Z,4,v,m,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,2.5,v,m,a
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:20Z,2,v,m,a

#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,,,v,m,b
,result,table,_start,_stop,_time,_value,_field,_measurement,host
"

testcase diff_columns_absent {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> difference(columns: ["nope"])
    testing.diff(got: got, want: csv.from(csv: outData))
}
