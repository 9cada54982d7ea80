"""`make loadtest`'s figures: percentiles and the steady-state window after the last login (no locust run)."""

import pytest

from tests.load.figures import Window, percentile, steady_state

BASE = "http://127.0.0.1:8300"


def test_percentile_is_the_nearest_rank_of_the_sorted_values():
    values = [float(value) for value in range(100, 0, -1)]  # 100 .. 1, unsorted on purpose
    assert (percentile(values, .5), percentile(values, .95), percentile(values, .99)) == (51.0, 95.0, 99.0)
    assert percentile([7.0], .99) == 7.0
    assert percentile([], .95) == 0.0


def test_the_steady_state_starts_when_the_last_login_has_completed():
    timings = [
        [f"{BASE}/accounts/login/", 40.0, False, 100.0],
        [f"{BASE}/", 900.0, False, 100.5],  # started during the logins: left out however late it ends
        [f"{BASE}/accounts/login/", 2000.0, False, 101.0],  # the last login ends at 103.0
        [f"{BASE}/applications/", 3000.0, False, 102.9],  # started before that: left out
        [f"{BASE}/", 100.0, False, 103.0],
        [f"{BASE}/applications/7/edit/", 300.0, True, 104.0],  # failed requests count as requests
        [f"{BASE}/editions/x/results/", 200.0, False, 107.8],  # the last to end, at 108.0
    ]
    assert steady_state(timings) == Window(count=3, seconds=pytest.approx(5.0), starts_after=pytest.approx(3.0),
                                           p50=200.0, p95=300.0, p99=300.0)
    assert steady_state(timings).per_second == pytest.approx(0.6)


def test_without_logins_every_request_is_steady():
    timings = [[f"{BASE}/", 100.0, False, 10.0], [f"{BASE}/", 300.0, False, 11.0]]
    window = steady_state(timings)
    assert (window.count, window.starts_after, window.p50, window.p99) == (2, 0.0, 100.0, 300.0)
    assert window.seconds == pytest.approx(1.3)


def test_no_requests_give_an_empty_window():
    assert steady_state([]) == Window(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert steady_state([]).per_second == 0.0
