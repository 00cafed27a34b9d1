// The conformance case tests/flux/cases/tz_aggwin_mean_paris in Flux form (written by
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
,,0,2024-03-30T04:00:00Z,1,v,m,a
,,0,2024-03-30T05:00:00Z,2,v,m,a
,,0,2024-03-31T00:00:00Z,4,v,m,a
,,0,2024-03-31T03:59:00Z,6,v,m,a
,,0,2024-03-31T04:00:00Z,10,v,m,a
,,0,2024-04-01T03:00:00Z,20,v,m,a
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double
#group,false,false,false,true,true,true,true,true,false
#default,_result,,,,,,,,
,result,table,_time,_start,_stop,_field,_measurement,s,_value
,,0,2024-03-29T05:00:00Z,2024-03-29T00:00:00Z,2024-04-01T12:00:00Z,v,m,a,
,,0,2024-03-30T05:00:00Z,2024-03-29T00:00:00Z,2024-04-01T12:00:00Z,v,m,a,1
,,0,2024-03-31T04:00:00Z,2024-03-29T00:00:00Z,2024-04-01T12:00:00Z,v,m,a,4
,,0,2024-04-01T04:00:00Z,2024-03-29T00:00:00Z,2024-04-01T12:00:00Z,v,m,a,15
,,0,2024-04-01T12:00:00Z,2024-03-29T00:00:00Z,2024-04-01T12:00:00Z,v,m,a,
"

testcase tz_aggwin_mean_paris {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        from(bucket: "test")
            |> range(start: 2024-03-29T00:00:00Z, stop: 2024-04-01T12:00:00Z)
            |> aggregateWindow(
                every: 1d,
                offset: 6h,
                fn: mean,
                location: timezone.location(name: "Europe/Paris"),
            )
    testing.diff(got: got, want: csv.from(csv: outData))
}
