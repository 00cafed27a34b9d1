// The conformance case tests/flux/cases/pkg_date_dst in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "date"
import "timezone"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2024-03-09T12:00:00Z,1,v,m,a
,,0,2024-03-10T12:00:00Z,2,v,m,a
,,0,2024-03-11T12:00:00Z,3,v,m,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339
#group,false,false,false,false,false,false
#default,_result,,,,,
,result,table,_time,day,month,next
,,0,2024-03-09T12:00:00Z,2024-03-09T05:00:00Z,2024-03-01T05:00:00Z,2024-03-10T11:00:00Z
,,0,2024-03-10T12:00:00Z,2024-03-10T05:00:00Z,2024-03-01T05:00:00Z,2024-03-11T12:00:00Z
,,0,2024-03-11T12:00:00Z,2024-03-11T04:00:00Z,2024-03-01T05:00:00Z,2024-03-12T12:00:00Z
"

testcase pkg_date_dst {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    ny = timezone.location(name: "America/New_York")
    got =
        from(bucket: "test")
            |> range(start: 2024-03-09T00:00:00Z, stop: 2024-03-12T00:00:00Z)
            |> keep(columns: ["_time", "_value"])
            |> map(
                fn: (r) => ({
                    _time: r._time,
                    day: date.truncate(t: r._time, unit: 1d, location: ny),
                    next: date.add(d: 1d, to: r._time, location: ny),
                    month: date.truncate(t: r._time, unit: 1mo, location: ny),
                }),
            )
    testing.diff(got: got, want: csv.from(csv: outData))
}
