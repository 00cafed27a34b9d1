// The conformance case tests/flux/cases/tbl_tablefind_getcolumn in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "array"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,1,usage,cpu,a
,,0,2024-01-01T00:01:00Z,2,usage,cpu,a
,,1,2024-01-01T00:00:00Z,5,usage,cpu,b
,,1,2024-01-01T00:01:00Z,7,usage,cpu,b
"

outData = "
#datatype,string,long,long,double,double
#group,false,false,false,false,false
#default,_result,,,,
,result,table,n,first,last
,,0,2,5,7
"

testcase tbl_tablefind_getcolumn {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    t = from(bucket: "test")
        |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
        |> tableFind(fn: (key) => key.host == "b")
    values = t |> getColumn(column: "_value")
    got =
        array.from(rows: [{n: length(arr: values), first: values[0], last: values[1]}])
    testing.diff(got: got, want: csv.from(csv: outData))
}
