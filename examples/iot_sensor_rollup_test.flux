// Tests for the task in iot_sensor_rollup.flux (10-minute means of the environmental sensors).
// Run them with:  tsengine test examples/
//
// Each testcase runs in an empty engine of its own in which the buckets named here exist. The
// input is written to the task's source bucket with to(); the task's query then runs for one
// scheduled run, pinned by `option now` and the run's window `v`, as the scheduler sets them.
import "csv"
import "testing"

// the run the scheduler starts at 01:05 (every: 1h, offset: 5m) covers 00:00 to 01:00
option now = () => 2024-01-01T01:05:00Z
option v = {timeRangeStart: 2024-01-01T00:00:00Z, timeRangeStop: 2024-01-01T01:00:00Z}

// the task's query, as in iot_sensor_rollup.flux (its `option task` left out)
rollup = () =>
    from(bucket: "raw_telemetry")
        |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
        |> filter(fn: (r) => r._measurement == "environmental_sensors" and r._field != "status")
        |> aggregateWindow(every: 10m, fn: mean, timeSrc: "_start", createEmpty: false)
        |> to(bucket: "aggregated_telemetry")

// raw points: two inside each 10-minute window, one before and one after the run's window,
// an integer field, a string field (left out by the task) and another measurement
input = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string,string,string
#group,false,false,false,false,true,true,true,true,true
#default,_result,,,,,,,,
,result,table,_time,_value,_field,_measurement,location,region,sensor_id
,,0,2023-12-31T23:55:00Z,10.0,temperature,environmental_sensors,plant-a,eu,s1
,,0,2024-01-01T00:00:00Z,20.0,temperature,environmental_sensors,plant-a,eu,s1
,,0,2024-01-01T00:05:00Z,21.0,temperature,environmental_sensors,plant-a,eu,s1
,,0,2024-01-01T00:10:00Z,22.0,temperature,environmental_sensors,plant-a,eu,s1
,,0,2024-01-01T00:15:00Z,24.0,temperature,environmental_sensors,plant-a,eu,s1
,,0,2024-01-01T01:00:00Z,30.0,temperature,environmental_sensors,plant-a,eu,s1
,,1,2024-01-01T00:00:00Z,40.0,humidity,environmental_sensors,plant-a,eu,s1
,,1,2024-01-01T00:05:00Z,42.0,humidity,environmental_sensors,plant-a,eu,s1

#datatype,string,long,dateTime:RFC3339,long,string,string,string,string,string
#group,false,false,false,false,true,true,true,true,true
#default,_result,,,,,,,,
,result,table,_time,_value,_field,_measurement,location,region,sensor_id
,,2,2024-01-01T00:00:00Z,90,battery,environmental_sensors,plant-a,eu,s1
,,2,2024-01-01T00:05:00Z,88,battery,environmental_sensors,plant-a,eu,s1

#datatype,string,long,dateTime:RFC3339,string,string,string,string,string,string
#group,false,false,false,false,true,true,true,true,true
#default,_result,,,,,,,,
,result,table,_time,_value,_field,_measurement,location,region,sensor_id
,,3,2024-01-01T00:00:00Z,ok,status,environmental_sensors,plant-a,eu,s1

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,machine_id
,,4,2024-01-01T00:00:00Z,1200.0,rpm,machine_vibration,m1
"

// the means, stamped with their window's start; _start and _stop are the run's window
want = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string,string
#group,false,false,true,true,false,false,true,true,true,true,true
#default,_result,,,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,location,region,sensor_id
,,0,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,89.0,battery,environmental_sensors,plant-a,eu,s1
,,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,41.0,humidity,environmental_sensors,plant-a,eu,s1
,,2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:00:00Z,20.5,temperature,environmental_sensors,plant-a,eu,s1
,,2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-01T00:10:00Z,23.0,temperature,environmental_sensors,plant-a,eu,s1
"

// what the task's query returns (the tables it passes to `to`)
testcase ten_minute_means {
    csv.from(csv: input) |> to(bucket: "raw_telemetry") |> yield(name: "load")

    testing.diff(got: rollup(), want: csv.from(csv: want))
}

// what the run leaves in aggregated_telemetry for hourly_rollup.flux to read
testcase writes_aggregated_telemetry {
    csv.from(csv: input) |> to(bucket: "raw_telemetry") |> yield(name: "load")
    rollup() |> yield(name: "rollup")

    got =
        from(bucket: "aggregated_telemetry")
            |> range(start: v.timeRangeStart, stop: v.timeRangeStop)

    testing.diff(got: got, want: csv.from(csv: want))
}
