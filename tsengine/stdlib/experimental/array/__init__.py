"""Package `experimental/array`: where `array` began. Upstream keeps its members as the `array`
package's (`from`, `concat`, `map`, `filter`) plus element conversions written in Flux over
`array.map`; older scripts and test files still import it."""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY
from tsengine.stdlib import array  # noqa: F401  (registers the members re-exported here)

REGISTRY.define_in_flux("""
import "array"

from = array.from
concat = array.concat
map = array.map
filter = array.filter

toBool = (arr=<-) => array.map(arr: arr, fn: (x) => bool(v: x))
toDuration = (arr=<-) => array.map(arr: arr, fn: (x) => duration(v: x))
toFloat = (arr=<-) => array.map(arr: arr, fn: (x) => float(v: x))
toInt = (arr=<-) => array.map(arr: arr, fn: (x) => int(v: x))
toString = (arr=<-) => array.map(arr: arr, fn: (x) => string(v: x))
toTime = (arr=<-) => array.map(arr: arr, fn: (x) => time(v: x))
toUInt = (arr=<-) => array.map(arr: arr, fn: (x) => uint(v: x))
""", package="experimental/array")
