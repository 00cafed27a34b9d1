// The conformance case tests/flux/cases/map_block_body in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1.5,usage,cpu,a
,,0,2024-01-01T00:01:00Z,2.5,usage,cpu,a
,,1,2024-01-01T00:00:00Z,3,usage,cpu,b

#datatype,string,long,dateTime:RFC3339,long,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,2,2024-01-01T00:00:00Z,10,used,mem,a
,,2,2024-01-01T00:01:00Z,-7,used,mem,a
"

outData = "
#datatype,string,long,string,string,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string
#group,false,false,true,true,true,true,false,false,true
#default,_result,,,,,,,,
,result,table,_field,_measurement,_start,_stop,_time,_value,host
,,0,usage,cpu,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,3,a
,,0,usage,cpu,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,5,a
,,1,usage,cpu,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,6,b
"

testcase map_block_body {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
            |> filter(fn: (r) => r._measurement == "cpu")
            |> map(
                fn: (r) => {
                    doubled = r._value * 2.0

                    return {r with _value: doubled}
                },
            )
    testing.diff(got: got, want: csv.from(csv: outData))
}
