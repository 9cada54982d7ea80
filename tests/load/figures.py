"""The figures `make loadtest` prints, from the requests locust timed (pure functions: no locust, no Django).

Each timing is `[name, response_time_ms, failed, start_time_s]` as tests/load/locustfile.py records it. Besides
all requests and all but the logins, the steady state: the requests that start once the last login has
completed. The logins (Argon2, about 300 ms of CPU each) all land in the ramp's first seconds and saturate the
cores, so the queue they build delays the next requests too; load tests usually leave the ramp out, and so does
this window.
"""

from __future__ import annotations

from dataclasses import dataclass

LOGIN = "/accounts/login"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank value at `share` (0.95 for p95) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Window:
    count: int
    seconds: float  # from the window's start to the end of its last request
    starts_after: float  # seconds after the first request
    p50: float
    p95: float
    p99: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


def steady_state(timings: list) -> Window:
    """The requests that start after the last login ended (all of them if no one logged in)."""
    if not timings:
        return Window(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    first = min(start for _name, _ms, _failed, start in timings)
    logins_end = [start + ms / 1000 for name, ms, _failed, start in timings if LOGIN in name]
    begins = max(logins_end) if logins_end else first
    steady = [(ms, start) for name, ms, _failed, start in timings if start >= begins and LOGIN not in name]
    times = [ms for ms, _start in steady]
    ends = max((start + ms / 1000 for ms, start in steady), default=begins)
    return Window(count=len(steady), seconds=ends - begins, starts_after=begins - first,
                  p50=percentile(times, .5), p95=percentile(times, .95), p99=percentile(times, .99))
