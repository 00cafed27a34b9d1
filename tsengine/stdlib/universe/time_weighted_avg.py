"""`timeWeightedAvg(unit:)` and `today()`, written in Flux as upstream writes them: the
linearly interpolated integral over the range, divided by the range's length in `unit`s; the
current day's UTC midnight."""

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
import "date"

timeWeightedAvg = (tables=<-, unit) =>
    tables
        |> integral(unit: unit, interpolate: "linear")
        |> map(fn: (r) => ({r with _value: r._value * float(v: uint(v: unit))
                                            / float(v: int(v: r._stop) - int(v: r._start))}))

today = () => date.truncate(t: now(), unit: 1d)
""")
