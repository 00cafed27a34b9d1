// The conformance case tests/flux/cases/agg2_mean_float_order_generic in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,0.1,x,sums,a
,,0,2024-01-01T00:01:00Z,0.2,x,sums,a
,,0,2024-01-01T00:02:00Z,0.3,x,sums,a
,,1,2024-01-01T00:00:00Z,0.3,x,sums,b
,,1,2024-01-01T00:01:00Z,0.2,x,sums,b
,,1,2024-01-01T00:02:00Z,0.1,x,sums,b
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double
#group,false,false,true,true,true,true,true,false
#default,_result,,,,,,,
,result,table,_start,_stop,_field,_measurement,host,_value
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,x,sums,a,0.20000000000000004
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,x,sums,b,0.19999999999999998
"

testcase agg2_mean_float_order_generic {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> set(key: "unit", value: "%")
            |> mean()
    testing.diff(got: got, want: csv.from(csv: outData))
}
