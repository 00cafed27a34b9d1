// The conformance case tests/flux/cases/deriv_duplicate_times in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1,v,m,a
,,0,2024-01-01T00:00:10Z,3,v,m,a
,,0,2024-01-01T00:00:20Z,3,v,m,a
,,0,2024-01-01T00:00:30Z,7,v,m,a
"

outData = "
#datatype,string,long,string,string,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,double
#group,false,false,true,true,true,true,false,false,true,false
#default,_result,,,,,,,,,
,result,table,_field,_measurement,_start,_stop,_time,_value,host,x
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:10Z,1970-01-01T00:00:00.000000003Z,a,999999999.9999999
,,0,v,m,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:30Z,1970-01-01T00:00:00.000000007Z,a,999999999.9999999
"

testcase deriv_duplicate_times {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> duplicate(column: "_value", as: "x")
            |> toTime()
            |> derivative(columns: ["x"], timeColumn: "_value")
    testing.diff(got: got, want: csv.from(csv: outData))
}
