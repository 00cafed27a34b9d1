// The conformance case tests/flux/cases/agg2_sum_float_order in Flux form (written by
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
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,true,true,true
#default,_result,,,,,,,
,result,table,_start,_stop,_value,_field,_measurement,host
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,0.6000000000000001,x,sums,a
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,0.6,x,sums,b
"

testcase agg2_sum_float_order {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> sum()
    testing.diff(got: got, want: csv.from(csv: outData))
}
