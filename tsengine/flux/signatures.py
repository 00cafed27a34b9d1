"""The parameters of upstream Flux's universe functions (and InfluxDB's from/to/buckets), for
static checks: `tsengine check` knows a script's calls are valid Flux before tsengine runs them.

Notation: `name?` optional, `<-name` the pipe parameter. Read from influxdata/flux
stdlib/universe/universe.flux and stdlib/influxdata/influxdb/influxdb.flux.
"""

from __future__ import annotations

from dataclasses import dataclass

_UNIVERSE = """
aggregateWindow(every, period?, fn, offset?, location?, column?, timeSrc?, timeDst?,
    createEmpty?, <-tables)
bool(v)
bottom(n, columns?, <-tables)
bytes(v)
chandeMomentumOscillator(<-tables, n, columns?)
columns(<-tables, column?)
contains(value, set)
count(<-tables, column?)
cov(x, y, on, pearsonr?)
covariance(<-tables, pearsonr?, valueDst?, columns)
cumulativeSum(<-tables, columns?)
derivative(<-tables, unit?, nonNegative?, columns?, timeColumn?, initialZero?)
die(msg)
difference(<-tables, nonNegative?, columns?, keepFirst?, initialZero?)
display(v)
distinct(<-tables, column?)
doubleEMA(n, <-tables)
drop(<-tables, fn?, columns?)
duplicate(<-tables, column, as)
duration(v)
elapsed(<-tables, unit?, timeColumn?, columnName?)
exponentialMovingAverage(<-tables, n)
fill(<-tables, column?, value?, usePrevious?)
filter(<-tables, fn, onEmpty?)
findColumn(<-tables, fn, column)
findRecord(<-tables, fn, idx)
first(<-tables, column?)
float(v)
getColumn(<-table, column)
getRecord(<-table, idx)
group(<-tables, mode?, columns?)
highestAverage(n, column?, groupColumns?, <-tables)
highestCurrent(n, column?, groupColumns?, <-tables)
highestMax(n, column?, groupColumns?, <-tables)
histogram(<-tables, column?, upperBoundColumn?, countColumn?, bins, normalize?)
histogramQuantile(<-tables, quantile?, countColumn?, upperBoundColumn?, valueColumn?, minValue?,
    onNonmonotonic?)
holtWinters(<-tables, n, interval, withFit?, column?, timeColumn?, seasonality?, withMinSSE?)
hourSelection(<-tables, start, stop, location?, timeColumn?)
increase(<-tables, columns?)
int(v)
integral(<-tables, unit?, timeColumn?, column?, interpolate?)
join(<-tables, method?, on?)
kaufmansAMA(<-tables, n, column?)
kaufmansER(n, <-tables)
keep(<-tables, columns?, fn?)
keyValues(<-tables, keyColumns?)
keys(<-tables, column?)
last(<-tables, column?)
length(<-arr)
limit(<-tables, n, offset?)
linearBins(start, width, count, infinity?)
logarithmicBins(start, factor, count, infinity?)
lowestAverage(n, column?, groupColumns?, <-tables)
lowestCurrent(n, column?, groupColumns?, <-tables)
lowestMin(n, column?, groupColumns?, <-tables)
map(<-tables, fn, mergeKey?)
max(<-tables, column?)
mean(<-tables, column?)
median(method?, compression?, column?, <-tables)
min(<-tables, column?)
mode(<-tables, column?)
movingAverage(<-tables, n)
pearsonr(x, y, on)
pivot(<-tables, rowKey, columnKey, valueColumn)
quantile(<-tables, column?, q, compression?, method?)
range(<-tables, start, stop?)
reduce(<-tables, fn, identity)
relativeStrengthIndex(<-tables, n, columns?)
rename(<-tables, fn?, columns?)
sample(<-tables, n, pos?, column?)
set(<-tables, key, value)
skew(<-tables, column?)
sort(<-tables, columns?, desc?)
spread(<-tables, column?)
stateCount(fn, column?, <-tables)
stateDuration(fn, column?, timeColumn?, unit?, <-tables)
stateTracking(<-tables, fn, countColumn?, durationColumn?, durationUnit?, timeColumn?)
stddev(<-tables, column?, mode?)
string(v)
sum(<-tables, column?)
tableFind(<-tables, fn)
tail(<-tables, n, offset?)
time(v)
timeShift(<-tables, duration, columns?)
timeWeightedAvg(<-tables, unit)
timedMovingAverage(every, period, column?, <-tables)
toBool(<-tables)
toFloat(<-tables)
toInt(<-tables)
toString(<-tables)
toTime(<-tables)
toUInt(<-tables)
today()
top(n, columns?, <-tables)
tripleEMA(n, <-tables)
tripleExponentialDerivative(<-tables, n)
truncateTimeColumn(timeColumn?, unit, <-tables)
uint(v)
union(tables)
unique(<-tables, column?)
window(<-tables, every?, period?, offset?, location?, timeColumn?, startColumn?, stopColumn?,
    createEmpty?)
yield(<-tables, name?)
    now()
    from(bucket?, bucketID?, org?, orgID?, host?, token?)
    to(<-tables, bucket?, bucketID?, org?, orgID?, host?, token?, timeColumn?,
       measurementColumn?, tagColumns?, fieldFn?)
    buckets(org?, orgID?, host?, token?)
"""

# standard library package paths of upstream Flux (their members are not checked yet)
_PACKAGES = """
array bitwise csv date date/boundaries dict experimental experimental/aggregate
experimental/array experimental/bitwise experimental/csv experimental/date/boundaries
experimental/dynamic experimental/geo experimental/http experimental/http/requests
experimental/influxdb experimental/json experimental/mqtt experimental/oee experimental/polyline
experimental/prometheus experimental/query experimental/record experimental/table
experimental/usage generate http http/requests influxdata/influxdb influxdata/influxdb/monitor
influxdata/influxdb/sample influxdata/influxdb/schema influxdata/influxdb/secrets
influxdata/influxdb/tasks influxdata/influxdb/v1 internal/debug interpolate join json kafka
math pagerduty planner profiler pushbullet regexp runtime sampledata slack socket sql strings
system testing testing/expect timezone types
"""
PACKAGES = frozenset(_PACKAGES.split())


@dataclass(frozen=True)
class Signature:
    """A function's parameters: required, optional, and the pipe parameter."""

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    pipe: str | None

    @property
    def params(self) -> frozenset[str]:
        return self.required | self.optional | ({self.pipe} if self.pipe else frozenset())


def _parse(table: str) -> dict[str, Signature]:
    out = {}
    for line in table.replace(",\n", ", ").strip().splitlines():
        name, _, rest = line.strip().partition("(")
        params = [p.strip() for p in rest.rstrip(")").split(",") if p.strip()]
        required = frozenset(p for p in params if not p.endswith("?") and not p.startswith("<-"))
        optional = frozenset(p[:-1] for p in params if p.endswith("?"))
        pipe = next((p[2:] for p in params if p.startswith("<-")), None)
        out[name] = Signature(name, required, optional, pipe)
    return out


UNIVERSE: dict[str, Signature] = _parse(_UNIVERSE)
