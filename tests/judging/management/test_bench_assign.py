"""The bench_assign command solves a synthetic instance in memory and prints the figures it promises (not its speed)."""


def test_bench_assign_prints_an_optimal_checked_assignment(run):
    result = run("bench_assign", "--entries", "60", "--judges", "9", "--per-entry", "3", "--seed", "2")
    assert (result["entries"], result["judges"], result["per_entry"]) == (60, 9, 3)
    assert result["objective"] == result["bound"] > 0
    assert (result["gap"], result["violations"]) == (0.0, 0)
    assert (result["min_load"], result["max_load"]) == (20, 20)  # 180 slots over 9 judges


def test_bench_assign_compares_with_a_full_graph_flow_solved_in_the_same_run(run):
    # 20 judges: each entry's 3 + 8 candidates leave part of the graph out, so the pruned
    # solve and the plain full-graph flow take different routes to the same optimum.
    result = run("bench_assign", "--entries", "200", "--judges", "20", "--seed", "3")
    assert result["per_entry"] == 3
    assert result["reference_objective"] == result["objective"] == result["bound"]
    assert result["rounds"] >= 1
    assert 0 < result["arcs"] < 200 * 20
    assert result["cpu_seconds"] >= 0 and result["reference_cpu_seconds"] >= 0
    assert 0 < result["peak_mb"] <= result["reference_peak_mb"]


def test_bench_assign_can_skip_the_reference(run):
    result = run("bench_assign", "--entries", "60", "--judges", "9", "--no-reference")
    assert "reference_cpu_seconds" not in result
    assert result["objective"] == result["bound"]
