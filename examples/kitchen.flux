// The kitchen's readings of the last hour (see the README).
from(bucket: "sensors")
  |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "env" and r.room == "kitchen")
