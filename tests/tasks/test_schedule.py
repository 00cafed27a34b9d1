"""Task schedules to the second, as InfluxDB 2.x OSS computes them (every, cron, offset)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from storage import parse_time
from tsengine.errors import TaskError
from tsengine.flux.values import Duration
from tsengine.tasks.options import task_options
from tsengine.tasks.schedule import Schedule

S = 1_000_000_000
M = 60 * S
H = 60 * M
D = 24 * H


def t(text: str) -> int:
    return parse_time(text)


def every(ns: int = 0, months: int = 0, offset: int = 0) -> Schedule:
    return Schedule(Duration(months, ns), None, Duration(0, offset))


def cron(expr: str, offset: int = 0) -> Schedule:
    return Schedule(None, expr, Duration(0, offset))


def times(*texts: str) -> list[int]:
    return [t(x) for x in texts]


def weekday(ns: int) -> str:
    return datetime.fromtimestamp(ns // S, UTC).strftime("%A")


# -- every: the first run after (re)scheduling -------------------------------------------------
@pytest.mark.parametrize("created, first", [
    ("2024-03-13T14:30:00Z", "2024-03-13T15:00:00Z"),
    ("2024-03-13T15:00:00Z", "2024-03-13T16:00:00Z"),  # on a boundary: the next one
    ("2024-03-13T14:59:59.999Z", "2024-03-13T15:00:00Z"),  # cut to seconds first
    ("2024-03-13T15:00:00.5Z", "2024-03-13T16:00:00Z"),
])
def test_every_hour_lands_on_utc_hours(created, first):
    assert every(H).first_after(t(created)) == t(first)


def test_every_week_runs_on_mondays():
    first = every(7 * D).first_after(t("2024-03-13T14:30:00Z"))  # a Wednesday
    assert first == t("2024-03-18T00:00:00Z") and weekday(first) == "Monday"
    assert every(7 * D).first_after(t("2024-03-18T00:00:00Z")) == t("2024-03-25T00:00:00Z")


def test_every_7m_counts_from_year_one_not_the_epoch():
    first = every(7 * M).first_after(t("2024-03-13T14:30:00Z"))
    assert first == t("2024-03-13T14:32:00Z")
    assert (first // S) % 420 == 360
    # Go's zero time is 62135596800 s before the epoch: aligned times are multiples from there
    assert (first // S + 62_135_596_800) % 420 == 0


@pytest.mark.parametrize("ns, first, second", [
    (90 * M, "2024-03-13T15:00:00Z", "2024-03-13T16:30:00Z"),
    (D, "2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z"),
    (3 * D, "2024-03-16T00:00:00Z", "2024-03-19T00:00:00Z"),
    (45 * S, "2024-03-13T14:30:45Z", "2024-03-13T14:31:30Z"),
])
def test_every_fixed_durations(ns, first, second):
    schedule = every(ns)
    sf = schedule.first_after(t("2024-03-13T14:30:00Z"))
    assert (sf, schedule.next_after(sf)) == (t(first), t(second))


def test_every_3d_is_shifted_against_the_epoch():
    first = every(3 * D).first_after(t("2024-03-13T14:30:00Z"))
    assert (first // D) % 3 == 1  # Unix days = 1 (mod 3): 1970-01-02 is on the grid


@pytest.mark.parametrize("months, ns, first, second", [
    # 1mo truncates to 28 days (flux DurationFrom), then adds a calendar month (Go AddDate)
    (1, 0, "2024-04-04T00:00:00Z", "2024-05-04T00:00:00Z"),
    # 1y truncates to 52 weeks
    (12, 0, "2025-02-05T00:00:00Z", "2026-02-05T00:00:00Z"),
    # 1mo2d truncates to 30 days: 2024-02-15, then + 1 month + 2 days
    (1, 2 * D, "2024-03-17T00:00:00Z", "2024-04-19T00:00:00Z"),
])
def test_every_months(months, ns, first, second):
    schedule = every(ns, months)
    sf = schedule.first_after(t("2024-03-13T14:30:00Z"))
    assert (sf, schedule.next_after(sf)) == (t(first), t(second))


def test_every_month_overflows_as_go_adddate_does():
    schedule = every(months=1)
    assert schedule.next_after(t("2024-01-31T00:00:00Z")) == t("2024-03-02T00:00:00Z")
    assert schedule.next_after(t("2023-01-31T06:00:00Z")) == t("2023-03-03T06:00:00Z")
    assert schedule.next_after(t("2024-12-15T00:00:00Z")) == t("2025-01-15T00:00:00Z")


def test_subsequent_runs_do_not_drift():
    schedule = every(H)
    sf = schedule.first_after(t("2024-03-13T14:30:17.250Z"))
    runs = [sf := schedule.next_after(sf) for _ in range(3)]
    assert runs == times("2024-03-13T16:00:00Z", "2024-03-13T17:00:00Z", "2024-03-13T18:00:00Z")


# -- offset --------------------------------------------------------------------------------------
def test_offset_delays_the_run_not_the_schedule():
    schedule = every(H, offset=5 * M)
    sf = schedule.first_after(t("2024-03-13T14:30:00Z"))
    assert (sf, schedule.run_at(sf)) == (t("2024-03-13T15:00:00Z"), t("2024-03-13T15:05:00Z"))
    assert schedule.previous(sf) == t("2024-03-13T14:00:00Z")


def test_negative_offset_runs_early():
    schedule = every(H, offset=-5 * M)
    sf = schedule.first_after(t("2024-03-13T14:30:00Z"))
    assert (sf, schedule.run_at(sf)) == (t("2024-03-13T15:00:00Z"), t("2024-03-13T14:55:00Z"))


# -- due: catch-up, lazily -----------------------------------------------------------------------
def test_due_catches_up_over_a_day():
    schedule = every(H, offset=5 * M)
    due = list(schedule.due(t("2024-01-01T00:00:00Z"), t("2024-01-02T00:04:59Z")))
    assert due == [t("2024-01-01T00:00:00Z") + h * H for h in range(1, 24)]
    assert list(schedule.due(t("2024-01-01T00:00:00Z"), t("2024-01-02T00:05:00Z")))[-1] == (
        t("2024-01-02T00:00:00Z"))


def test_due_before_the_first_run_at_is_empty():
    schedule = every(H, offset=5 * M)
    assert list(schedule.due(t("2024-01-01T00:00:00Z"), t("2024-01-01T01:04:59Z"))) == []
    assert list(schedule.due(t("2024-01-01T00:00:00Z"), t("2024-01-01T01:05:00Z"))) == [
        t("2024-01-01T01:00:00Z")]


def test_due_with_a_negative_offset():
    schedule = every(H, offset=-5 * M)
    assert list(schedule.due(t("2024-01-01T00:00:00Z"), t("2024-01-01T01:55:00Z"))) == times(
        "2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z")


def test_due_is_lazy():
    due = every(S).due(t("2024-01-01T00:00:00Z"), t("2025-01-01T00:00:00Z"))
    assert list(itertools.islice(due, 3)) == times(
        "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z")


def test_due_for_cron():
    schedule = cron("0 */6 * * *")
    assert list(schedule.due(t("2024-01-01T05:00:00Z"), t("2024-01-01T18:00:00Z"))) == times(
        "2024-01-01T06:00:00Z", "2024-01-01T12:00:00Z", "2024-01-01T18:00:00Z")


# -- cron ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, created, first, second", [
    ("0 * * * *", "2024-03-13T14:30:00Z", "2024-03-13T15:00:00Z", "2024-03-13T16:00:00Z"),
    ("0 * * * *", "2024-03-13T15:00:00Z", "2024-03-13T16:00:00Z", "2024-03-13T17:00:00Z"),
    ("30 9 * * 1-5", "2024-03-15T10:00:00Z", "2024-03-18T09:30:00Z", "2024-03-19T09:30:00Z"),
    ("*/15 * * * * *", "2024-03-13T14:30:07.5Z", "2024-03-13T14:30:15Z", "2024-03-13T14:30:30Z"),
    ("30 0 12 * * *", "2024-03-13T12:00:30Z", "2024-03-14T12:00:30Z", "2024-03-15T12:00:30Z"),
    ("@hourly", "2024-03-13T14:30:00Z", "2024-03-13T15:00:00Z", "2024-03-13T16:00:00Z"),
    ("@daily", "2024-03-13T14:30:00Z", "2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z"),
    ("@weekly", "2024-03-13T14:30:00Z", "2024-03-17T00:00:00Z", "2024-03-24T00:00:00Z"),
    ("@monthly", "2024-03-13T14:30:00Z", "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"),
    ("@yearly", "2024-03-13T14:30:00Z", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    ("@every_minute", "2024-03-13T14:30:00Z", "2024-03-13T14:31:00Z", "2024-03-13T14:32:00Z"),
    # @every aligns like `every`
    ("@every 30m", "2024-03-13T14:40:00Z", "2024-03-13T15:00:00Z", "2024-03-13T15:30:00Z"),
    ("@every 30m", "2024-03-13T14:10:00Z", "2024-03-13T14:30:00Z", "2024-03-13T15:00:00Z"),
    ("@every 1w", "2024-03-13T14:30:00Z", "2024-03-18T00:00:00Z", "2024-03-25T00:00:00Z"),
    # a term flux cannot read: no alignment beyond the second
    ("@every 1hr", "2024-03-13T14:30:07Z", "2024-03-13T15:30:07Z", "2024-03-13T16:30:07Z"),
    # day of month AND day of week: Friday the 13th, not every Friday and every 13th
    ("0 0 13 * 5", "2024-03-13T14:30:00Z", "2024-09-13T00:00:00Z", "2024-12-13T00:00:00Z"),
    # influxdata/cron quirks: 1-7 ends on Saturday; a weekday step counts from Sunday
    ("0 0 * * 1-7", "2024-03-16T12:00:00Z", "2024-03-18T00:00:00Z", "2024-03-19T00:00:00Z"),
    ("0 0 * * 1/2", "2024-03-13T12:00:00Z", "2024-03-14T00:00:00Z", "2024-03-16T00:00:00Z"),
])
def test_cron(expr, created, first, second):
    schedule = cron(expr)
    sf = schedule.first_after(t(created))
    assert (sf, schedule.next_after(sf)) == (t(first), t(second))


# influxdata/cron cron_test.go TestNext: Next from 2019-06-27T06:05:12.622652Z
@pytest.mark.parametrize("expr, first", [
    ("* * * * * 4-6 *", "2019-06-27T06:05:13Z"),
    (" *   * * * * * 2023 ", "2023-01-01T00:00:00Z"),
    ("10/4 * * * * * *", "2019-06-27T06:05:14Z"),
    ("3-12/2 * * * * * *", "2019-06-27T06:06:03Z"),
    ("* 3/5 * * * * *", "2019-06-27T06:08:00Z"),
    ("*/2 3/2 * * * * *", "2019-06-27T06:05:14Z"),
    (" * * *  * \t*\t* * ", "2019-06-27T06:05:13Z"),
    ("*/4 * 4-16/4 * * * *", "2019-06-27T08:00:00Z"),
    ("* * * * * FRI,SAT,SUN,MON,TUE,WED *", "2019-06-28T00:00:00Z"),
    ("4 7 * * * 6 *", "2019-06-29T00:07:04Z"),
    ("* * 12 29 FEB WED *", "2040-02-29T12:00:00Z"),
    ("* * 12 29 FEB tue-thu *", "2024-02-29T12:00:00Z"),
    ("* * 12 29 2 MON,0 *", "2032-02-29T12:00:00Z"),
    ("* * * 4 7 MON,TUE,WED,4,5 *", "2019-07-04T00:00:00Z"),
    ("* * * 29 2 MON */3", "2072-02-29T00:00:00Z"),
    ("* * * 1 1 MON */3", "2024-01-01T00:00:00Z"),
    ("* * * * * * */2", "2020-01-01T00:00:00Z"),
    ("  * *  * * *  ", "2019-06-27T06:06:00Z"),
    ("2-7/7 1 1 1 0-7       ", "2020-01-01T01:02:00Z"),
    ("2-20/2 * * * 8-10/3 * *", "2019-08-01T00:00:02Z"),
    ("2-20/2 * * * 3-10/3 * *", "2019-06-27T06:05:14Z"),
    ("@annually", "2020-01-01T00:00:00Z"),
])
def test_cron_as_upstream_tests_it(expr, first):
    assert cron(expr).first_after(t("2019-06-27T06:05:12.622652Z")) == t(first)


# influxdata/cron cron_test.go TestRange: Next from the start, then from each result
@pytest.mark.parametrize("expr, results", [
    ("3 47 17 9 3-11/3 *", ["2001-03-09T17:47:03Z", "2001-06-09T17:47:03Z",
                            "2001-09-09T17:47:03Z", "2002-03-09T17:47:03Z"]),
    ("3 47 17 * 1 THU-SAT", ["2001-01-04T17:47:03Z", "2001-01-05T17:47:03Z",
                             "2001-01-06T17:47:03Z", "2001-01-11T17:47:03Z"]),
    ("3 47 17 9 1 * 2003-2007", ["2003-01-09T17:47:03Z", "2004-01-09T17:47:03Z",
                                 "2005-01-09T17:47:03Z", "2006-01-09T17:47:03Z",
                                 "2007-01-09T17:47:03Z"]),
    ("@every 1w1d1s", ["2001-01-09T12:10:11Z", "2001-01-17T12:10:12Z", "2001-01-25T12:10:13Z"]),
    ("@every 7y1mo", ["2008-02-01T12:10:10Z", "2015-03-01T12:10:10Z", "2022-04-01T12:10:10Z"]),
    ("@every 3y1m1s", ["2004-01-01T12:11:11Z", "2007-01-01T12:12:12Z"]),
    ("@every 10s400ms700000us", ["2001-01-01T12:10:21Z", "2001-01-01T12:10:32Z"]),
    ("@every 2hr1s", ["2001-01-01T14:10:11Z", "2001-01-01T16:10:12Z"]),
])
def test_cron_sequences_as_upstream_tests_them(expr, results):
    schedule, sf, got = cron(expr), t("2001-01-01T12:10:10Z"), []
    for _ in results:
        sf = schedule.next_after(sf)
        got.append(sf)
    assert got == times(*results)


def test_no_tick_after_the_last_year():
    schedule = cron("3 47 17 9 1 * 2003-2007")
    with pytest.raises(TaskError, match="has no time after 2007-01-09T17:47:03Z"):
        schedule.next_after(t("2007-01-09T17:47:03Z"))
    assert list(schedule.due(t("2008-01-01T00:00:00Z"), t("2030-01-01T00:00:00Z"))) == []
    with pytest.raises(TaskError, match="has no time after"):
        cron("0 0 0 1 1 *").first_after(t("2099-06-01T00:00:00Z"))


# -- previous: where the window starts -------------------------------------------------------------
def test_previous_for_every():
    assert every(H).previous(t("2024-03-13T15:00:00Z")) == t("2024-03-13T14:00:00Z")
    assert every(7 * D).previous(t("2024-03-18T00:00:00Z")) == t("2024-03-11T00:00:00Z")
    # months as Flux's `-task.every` does: clamped to the month's end
    assert every(months=1).previous(t("2024-03-31T00:00:00Z")) == t("2024-02-29T00:00:00Z")
    assert every(2 * D, 1).previous(t("2024-03-17T00:00:00Z")) == t("2024-02-15T00:00:00Z")


def test_previous_for_cron():
    weekdays = cron("0 9 * * 1-5")
    assert weekdays.previous(t("2024-03-18T09:00:00Z")) == t("2024-03-15T09:00:00Z")  # Fri
    assert weekdays.previous(t("2024-03-19T09:00:00Z")) == t("2024-03-18T09:00:00Z")
    assert weekdays.previous(t("2024-03-19T09:00:00.5Z")) == t("2024-03-19T09:00:00Z")
    assert cron("@every 30m").previous(t("2024-03-13T15:00:00Z")) == t("2024-03-13T14:30:00Z")
    with pytest.raises(TaskError, match="has no time before"):
        cron("0 0 0 1 1 * 2030").previous(t("2030-01-01T00:00:00Z"))


# -- within: backfill ----------------------------------------------------------------------------
def test_within_every_hour():
    start, stop = t("2024-01-01T00:00:00Z"), t("2024-01-01T03:00:00Z")
    assert every(H).within(start, stop) == times(
        "2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z", "2024-01-01T03:00:00Z")
    assert every(H).within(t("2024-01-01T00:30:00Z"), t("2024-01-01T03:59:59Z")) == times(
        "2024-01-01T02:00:00Z", "2024-01-01T03:00:00Z")
    assert every(D).within(start, stop) == []
    assert every(H).within(stop, start) == []


def test_within_cron():
    assert cron("0 9 * * 1-5").within(t("2024-03-15T00:00:00Z"), t("2024-03-20T00:00:00Z")) == (
        times("2024-03-18T09:00:00Z", "2024-03-19T09:00:00Z"))  # the window of Fri 09:00 starts Thu
    assert cron("*/30 * * * *").within(t("2024-01-01T00:00:00Z"), t("2024-01-01T01:00:00Z")) == (
        times("2024-01-01T00:30:00Z", "2024-01-01T01:00:00Z"))


def test_within_ignores_the_offset():
    start, stop = t("2024-01-01T00:00:00Z"), t("2024-01-01T03:00:00Z")
    assert every(H, offset=10 * M).within(start, stop) == every(H).within(start, stop)
    assert every(H, offset=-10 * M).within(start, stop) == every(H).within(start, stop)


# -- construction --------------------------------------------------------------------------------
def test_of_task_options():
    options = task_options('option task = {name: "a", every: 1h, offset: 5m}\n')
    assert Schedule.of(options) == Schedule(Duration(0, H), None, Duration(0, 5 * M))
    options = task_options('option task = {name: "a", cron: "@hourly"}\n')
    assert Schedule.of(options) == Schedule(None, "@hourly", Duration())


@pytest.mark.parametrize("every_, cron_, message", [
    (None, None, "exactly one of every or cron"),
    (Duration(0, H), "@hourly", "exactly one of every or cron"),
    (Duration(0, S // 2), None, "every must be at least 1s"),
    (Duration(0, S + 1), None, "whole number of seconds"),
    (None, "61 * * * *", "minute 61 is outside 0-59"),
])
def test_refused(every_, cron_, message):
    with pytest.raises(TaskError, match=message):
        Schedule(every_, cron_, Duration())
