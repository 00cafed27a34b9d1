// The conformance case tests/flux/cases/join_full_block in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "join"

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
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,long
#group,false,false,true,true,false,false,true,false
#default,_result,,,,,,,
,result,table,_start,_stop,_time,cpu,host,mem
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,1,a,10
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:01:00Z,2,a,20
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:02:00Z,,a,25
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,3,b,
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:02:00Z,,b,30
"

testcase join_full_block {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
    mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])
    got =
        join.full(
            left: cpu,
            right: mem,
            on: (l, r) => r._time == l._time,
            as: (l, r) => {
                time = if exists l._time then l._time else r._time

                return {_start: l._start, _stop: l._stop, host: r.host, _time: time, cpu: l._value, mem: r._value}
            },
        )
    testing.diff(got: got, want: csv.from(csv: outData))
}
