option task = {name: "iot_sensor_rollup", every: 1h, offset: 5m}

from(bucket: "raw_telemetry")
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "environmental_sensors" and r._field != "status")
  |> aggregateWindow(every: 10m, fn: mean, timeSrc: "_start", createEmpty: false)
  |> to(bucket: "aggregated_telemetry")
