option task = {name: "sensor_downsample_hourly", every: 1h, offset: 10m}

from(bucket: "raw_telemetry")
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "machine_vibration")
  |> aggregateWindow(every: 1h, fn: last, createEmpty: false)
  |> keep(columns: ["_time", "_measurement", "_field", "_value", "machine_id", "location"])
  |> to(bucket: "hourly_rollups")
