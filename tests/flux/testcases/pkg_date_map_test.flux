// The conformance case tests/flux/cases/pkg_date_map in Flux form (written by
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
,,0,2024-01-01T00:00:00Z,1,v,m,a
,,0,2024-01-01T13:45:30.25Z,2,v,m,a
,,0,2024-01-01T23:59:59.999999999Z,3,v,m,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,long,long,long,dateTime:RFC3339,long,long
#group,false,false,false,false,false,false,false,false,false
#default,_result,,,,,,,,
,result,table,_time,h,hny,ms,tr,wd,yd
,,0,2024-01-01T00:00:00Z,0,19,0,2024-01-01T00:00:00Z,1,1
,,0,2024-01-01T13:45:30.25Z,13,8,250,2024-01-01T13:00:00Z,1,1
,,0,2024-01-01T23:59:59.999999999Z,23,18,999,2024-01-01T23:00:00Z,1,1
"

testcase pkg_date_map {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
            |> keep(columns: ["_time", "_value"])
            |> map(
                fn: (r) => ({
                    _time: r._time,
                    h: date.hour(t: r._time),
                    wd: date.weekDay(t: r._time),
                    ms: date.millisecond(t: r._time),
                    yd: date.yearDay(t: r._time),
                    hny: date.hour(t: r._time, location: timezone.location(name: "America/New_York")),
                    tr: date.truncate(t: r._time, unit: 1h),
                }),
            )
    testing.diff(got: got, want: csv.from(csv: outData))
}
