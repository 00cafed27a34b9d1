// The conformance case tests/flux/cases/red_columns_ungrouped in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1,usage,cpu,a
,,0,2024-01-01T00:01:00Z,2,usage,cpu,a
,,1,2024-01-01T00:00:00Z,3,usage,cpu,b

#datatype,string,long,dateTime:RFC3339,long,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,2,2024-01-01T00:00:00Z,10,used,mem,a
,,2,2024-01-01T00:01:00Z,20,used,mem,a
,,2,2024-01-01T00:02:00Z,25,used,mem,a
,,3,2024-01-01T00:02:00Z,30,used,mem,b
"

outData = "
#datatype,string,long,string
#group,false,false,false
#default,_result,,
,result,table,labels
,,0,_time
,,0,_value
,,0,host
"

testcase red_columns_ungrouped {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> filter(fn: (r) => r._measurement == "mem")
            |> keep(columns: ["_time", "_value", "host"])
            |> group()
            |> columns(column: "labels")
    testing.diff(got: got, want: csv.from(csv: outData))
}
