// The conformance case tests/flux/cases/tz_aggwin_max_hourly in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "timezone"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,s
,,0,2024-11-03T04:30:00Z,1,v,m,a
,,0,2024-11-03T05:10:00Z,5,v,m,a
,,0,2024-11-03T06:20:00Z,3,v,m,a
,,0,2024-11-03T07:30:00Z,2,v,m,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,s
,,0,2024-11-03T04:00:00Z,2024-11-03T09:00:00Z,2024-11-03T05:00:00Z,1,v,m,a
,,0,2024-11-03T04:00:00Z,2024-11-03T09:00:00Z,2024-11-03T07:00:00Z,5,v,m,a
,,0,2024-11-03T04:00:00Z,2024-11-03T09:00:00Z,2024-11-03T08:00:00Z,2,v,m,a
,,0,2024-11-03T04:00:00Z,2024-11-03T09:00:00Z,2024-11-03T09:00:00Z,,v,m,a
"

testcase tz_aggwin_max_hourly {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-11-03T04:00:00Z, stop: 2024-11-03T09:00:00Z)
            |> aggregateWindow(every: 1h, fn: max, location: timezone.location(name: "America/New_York"))
    testing.diff(got: got, want: csv.from(csv: outData))
}
