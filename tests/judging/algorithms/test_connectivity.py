import numpy as np

from judging.algorithms.connectivity import connect_panels, panels


def two_panels(entries: int = 8):
    """One category, four judges in two panels: judges 0, 1 score entries 0-3, judges 2, 3 entries 4-7."""
    pairs = np.array([(e, j) for e in range(entries // 2) for j in (0, 1)]
                     + [(e, j) for e in range(entries // 2, entries) for j in (2, 3)])
    return pairs, np.zeros(entries, dtype=np.int64)


def test_the_panels_of_a_split_category_are_found():
    pairs, group = two_panels()
    assert panels(pairs, group, 0, n_judges=4).tolist() == [0, 0, 1, 1]


def test_a_swap_joins_two_panels_keeping_every_load_and_every_entrys_judges():
    pairs, group = two_panels()
    affinity = np.zeros((8, 4))
    affinity[0, 2] = 5  # judge 2 would like entry 0
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=np.ones((8, 4), dtype=bool),
                            capacity=np.full(4, 4), affinity=affinity)
    assert repair.panels_before == {0: 2}
    assert repair.split == {}
    assert repair.added == ()
    assert len(repair.swaps) == 1
    entry_1, judge_a, entry_2, judge_b = repair.swaps[0]
    assert (entry_1, judge_b) == (0, 2)  # the change that keeps the most affinity
    assert panels(repair.pairs, group, 0, n_judges=4).tolist() == [0, 0, 0, 0]
    assert np.bincount(repair.pairs[:, 1], minlength=4).tolist() == [4, 4, 4, 4]
    assert np.bincount(repair.pairs[:, 0], minlength=8).tolist() == [2] * 8
    assert len(np.unique(repair.pairs, axis=0)) == len(repair.pairs)


def test_conflicts_and_kept_pairs_are_respected():
    pairs, group = two_panels()
    allowed = np.ones((8, 4), dtype=bool)
    allowed[0:3, 2:] = False  # judges 2 and 3 may not score entries 0-2
    fixed = np.array([(3, 0), (3, 1)])  # entry 3's judges are kept: no swap can reach the first panel
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=allowed, capacity=np.array([4, 4, 5, 4]),
                            fixed=fixed)
    assert repair.split == {}
    assert repair.swaps == ()
    assert repair.added == ((3, 2),)  # the one allowed pair across, for the one judge with room
    assert all(allowed[e, j] for e, j in repair.pairs)
    assert {(3, 0), (3, 1)} <= {tuple(p) for p in repair.pairs.tolist()}
    assert panels(repair.pairs, group, 0, n_judges=4).max() == 0


def test_a_review_is_added_when_no_swap_can_join_the_panels_and_capacity_allows():
    pairs, group = two_panels()
    allowed = np.ones((8, 4), dtype=bool)
    allowed[:4, 2:] = False  # the second panel may not score the first panel's entries
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=allowed, capacity=np.array([5, 4, 4, 4]))
    assert repair.swaps == ()
    assert len(repair.added) == 1 and repair.added[0][1] == 0  # only judge 0 has room
    assert len(repair.pairs) == len(pairs) + 1
    assert panels(repair.pairs, group, 0, n_judges=4).max() == 0


def test_a_category_that_cannot_be_joined_is_reported_and_left_as_it_was():
    pairs, group = two_panels()
    allowed = np.ones((8, 4), dtype=bool)
    allowed[:4, 2:] = False
    allowed[4:, :2] = False  # no judge may cross
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=allowed, capacity=np.full(4, 10))
    assert repair.split == {0: 2}
    assert not repair.changed
    assert repair.pairs.tolist() == np.unique(pairs, axis=0).tolist()


def test_connected_categories_and_judges_linked_outside_the_pairs_are_left_alone():
    pairs, group = two_panels()
    # A calibration entry kept outside the pairs, scored by judges 1 and 2, links the panels already.
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=np.ones((8, 4), dtype=bool),
                            capacity=np.full(4, 4), linked=[(0, np.array([1, 2]))])
    assert repair.panels_before == {}
    assert not repair.changed
    assert repair.pairs.tolist() == np.unique(pairs, axis=0).tolist()


def test_each_category_is_joined_on_its_own_and_three_panels_take_two_merges():
    rng = np.random.default_rng(4)
    entries, judges = 60, 9
    group = np.arange(entries) % 2
    panel_of_judge = np.arange(judges) % 3  # three panels in each category
    pairs = []
    for e in range(entries):
        members = np.flatnonzero(panel_of_judge == e % 3)
        pairs.extend((e, int(j)) for j in rng.choice(members, 2, replace=False))
    pairs = np.array(pairs)
    capacity = np.bincount(pairs[:, 1], minlength=judges)  # no room: only swaps
    repair = connect_panels(pairs=pairs, entry_group=group, allowed=np.ones((entries, judges), dtype=bool),
                            capacity=capacity, affinity=rng.integers(0, 10, (entries, judges)))
    assert repair.panels_before == {0: 3, 1: 3}
    assert repair.split == {} and repair.added == ()
    assert len(repair.swaps) == 4
    for g in (0, 1):
        assert panels(repair.pairs, group, g, n_judges=judges).max() == 0
    assert np.bincount(repair.pairs[:, 1], minlength=judges).tolist() == capacity.tolist()
