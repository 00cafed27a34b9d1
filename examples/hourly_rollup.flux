option task = {name: "hourly_rollup", every: 1h, offset: 10m}

// The second stage: the hour's six 10-minute means (written by iot_sensor_rollup, which runs
// 5 minutes earlier) averaged into one, stamped, like them, with its window's start.
from(bucket: "aggregated_telemetry")
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "environmental_sensors")
  |> aggregateWindow(every: 1h, fn: mean, timeSrc: "_start", createEmpty: false)
  |> to(bucket: "hourly_rollups")
