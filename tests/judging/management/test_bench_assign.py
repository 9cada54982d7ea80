"""The bench_assign command solves a synthetic instance in memory and prints the figures it promises (not its speed)."""


def test_bench_assign_prints_an_optimal_checked_assignment(run):
    result = run("bench_assign", "--entries", "60", "--judges", "9", "--per-entry", "3", "--seed", "2")
    assert (result["entries"], result["judges"], result["per_entry"]) == (60, 9, 3)
    assert result["objective"] == result["bound"] > 0
    assert (result["gap"], result["violations"]) == (0.0, 0)
    assert (result["min_load"], result["max_load"]) == (20, 20)  # 180 slots over 9 judges
