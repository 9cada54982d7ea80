"""Connected panels: repair an assignment so that each category's judges are linked through shared entries.

Scores can be put on one scale only where judges are linked through entries they both scored, directly or through
other judges (`judging.selectors.design` warns about categories split into panels). The exact assigner maximises
affinity and balances loads; nothing in that objective asks for links, and with strong expertise or conflicts a
category can come out as two or more panels that share no entry. `connect_panels` takes the assigner's pairs and
joins the panels of each category, one merge at a time, the largest panel with each other one:

1. a swap between two entries, one in each panel: judge A gives entry 1 to judge B and takes B's entry 2. Every
   entry keeps its number of judges and every judge their load, so capacities and balance stay as the assigner
   left them; conflicts are respected (both new pairs must be allowed), pairs that must be kept (started reviews,
   calibration, by hand) never move. Of the swaps that do join the panels, the one that loses the least affinity;
2. where no swap joins them, one review added: a judge of one panel on an entry of the other, within the judge's
   capacity, the allowed pair with the highest affinity. That entry gets one judge more than the round asks;
3. where neither is possible, the category stays split and is reported.

Pure numpy and scipy, no Django: the service (`judging.services.assignment_runs`) calls it after the solve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

# Swaps tried per merge, best first, before an added review is considered: a swap that does not join the panels
# (it only moved a judge from one to the other) is skipped for the next best.
SWAP_TRIES = 50


@dataclass(frozen=True)
class PanelRepair:
    pairs: np.ndarray  # (P, 2) int (entry, judge), sorted: the repaired assignment
    swaps: tuple[tuple[int, int, int, int], ...] = ()  # (entry 1, judge A, entry 2, judge B): A took 2, B took 1
    added: tuple[tuple[int, int], ...] = ()  # (entry, judge) reviews added beyond the round's number per entry
    panels_before: dict[int, int] = field(default_factory=dict)  # group -> panels, for groups that were split
    split: dict[int, int] = field(default_factory=dict)  # group -> panels left: could not be joined

    @property
    def changed(self) -> bool:
        return bool(self.swaps or self.added)


def panels(pairs: np.ndarray, entry_group: np.ndarray, group: int, *, n_judges: int,
           linked: Sequence[tuple[int, np.ndarray]] = ()) -> np.ndarray:
    """The panel label of every judge of `group` (-1 for judges with no entry of it): judges are in one panel
    when linked through entries of the group they scored, directly or through other judges. `linked` adds judge
    sets already linked through entries outside `pairs` (a calibration entry scored by the whole category)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    mine = pairs[np.asarray(entry_group)[pairs[:, 0]] == group]
    extra = [np.asarray(judges, dtype=np.int64) for g, judges in linked if g == group and len(judges)]
    entries = np.unique(mine[:, 0])
    rows = [np.searchsorted(entries, mine[:, 0])]
    columns = [mine[:, 1]]
    for number, judges in enumerate(extra):  # each outside entry: one more node
        rows.append(np.full(judges.size, entries.size + number))
        columns.append(judges)
    row, column = np.concatenate(rows), np.concatenate(columns)
    nodes = entries.size + len(extra)
    graph = sp.coo_matrix((np.ones(row.size, dtype=np.int8), (row, nodes + column)),
                          shape=(nodes + n_judges,) * 2)
    _count, labels = connected_components(graph, directed=False)
    label = np.full(n_judges, -1, dtype=np.int64)
    present = np.zeros(n_judges, dtype=bool)
    present[column] = True
    _, compact = np.unique(labels[nodes:][present], return_inverse=True)
    label[present] = compact
    return label


def connect_panels(*, pairs: np.ndarray, entry_group: np.ndarray, allowed: np.ndarray, capacity: np.ndarray,
                   affinity: np.ndarray | None = None, fixed: np.ndarray | None = None,
                   extra_load: np.ndarray | None = None,
                   linked: Sequence[tuple[int, np.ndarray]] = ()) -> PanelRepair:
    """Repair `pairs` (entry, judge) so that every group's judges form one panel (the module says how).

    `allowed` (entries x judges) and `capacity` (judges) are the assigner's; `affinity` ranks the candidate
    changes (all equal without it); `fixed` pairs never move; `extra_load` is each judge's load outside `pairs`
    (it counts against capacity); `linked` as in `panels`.
    """
    pairs = np.unique(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), axis=0)
    entry_group = np.asarray(entry_group, dtype=np.int64)
    allowed = np.asarray(allowed, dtype=bool)
    n_entries, n_judges = allowed.shape
    affinity = np.zeros((n_entries, n_judges)) if affinity is None else np.asarray(affinity, dtype=float)
    capacity = np.asarray(capacity, dtype=np.int64)
    load = np.bincount(pairs[:, 1], minlength=n_judges) + (0 if extra_load is None else np.asarray(extra_load))
    fixed_keys = set() if fixed is None else {(int(e), int(j)) for e, j in np.asarray(fixed).reshape(-1, 2)}
    swaps: list[tuple[int, int, int, int]] = []
    added: list[tuple[int, int]] = []
    before: dict[int, int] = {}
    split: dict[int, int] = {}
    for group in np.unique(entry_group[pairs[:, 0]]).tolist() if pairs.size else []:
        label = panels(pairs, entry_group, group, n_judges=n_judges, linked=linked)
        count = int(label.max()) + 1
        if count <= 1:
            continue
        before[group] = count
        while count > 1:
            step = _merge(pairs, label, entry_group, group, allowed, affinity, capacity, load, fixed_keys,
                          n_judges=n_judges, linked=linked)
            if step is None:
                split[group] = count
                break
            pairs, change = step
            if len(change) == 4:
                swaps.append(change)
            else:
                added.append(change)
                load[change[1]] += 1
            label = panels(pairs, entry_group, group, n_judges=n_judges, linked=linked)
            count = int(label.max()) + 1
    return PanelRepair(pairs=pairs, swaps=tuple(swaps), added=tuple(added), panels_before=before, split=split)


def _merge(pairs, label, entry_group, group, allowed, affinity, capacity, load, fixed_keys, *, n_judges, linked):
    """One change that joins the largest panel of `group` with another: (new pairs, the change), or None."""
    sizes = np.bincount(label[label >= 0])
    main = int(np.argmax(sizes))
    in_group = entry_group[pairs[:, 0]] == group
    mine = pairs[in_group]
    # judges on each entry of the group, for "not already on it"
    on_entry = sp.csr_matrix((np.ones(len(mine), dtype=bool), (mine[:, 0], mine[:, 1])),
                             shape=allowed.shape).toarray() if len(mine) else np.zeros(allowed.shape, dtype=bool)
    movable = np.array([(int(e), int(j)) not in fixed_keys for e, j in mine], dtype=bool)
    for other in np.argsort(sizes)[::-1]:
        other = int(other)
        if other == main:
            continue
        for change in _swaps(mine[movable], label, main, other, allowed, affinity, on_entry):
            candidate = _apply(pairs, change)
            merged = panels(candidate, entry_group, group, n_judges=n_judges, linked=linked)
            if int(merged.max()) + 1 < int(label.max()) + 1:
                return candidate, change
        change = _addition(mine, label, main, other, allowed, affinity, capacity, load, on_entry)
        if change is not None:
            return _apply(pairs, change), change
    return None


def _swaps(movable, label, main, other, allowed, affinity, on_entry):
    """Swaps between panels `main` and `other`, best first (most affinity kept), at most SWAP_TRIES."""
    side_a = movable[label[movable[:, 1]] == main]
    side_b = movable[label[movable[:, 1]] == other]
    if not len(side_a) or not len(side_b):
        return []
    judges_a, judges_b = np.flatnonzero(label == main), np.flatnonzero(label == other)
    # gain_1[p, b]: judge b takes entry 1 of pair p (from judge A); gain_2[q, a]: judge a takes entry 2 of q.
    gain_1 = _gains(side_a, judges_b, allowed, affinity, on_entry)
    gain_2 = _gains(side_b, judges_a, allowed, affinity, on_entry)
    a_of = np.searchsorted(judges_a, side_a[:, 1])
    b_of = np.searchsorted(judges_b, side_b[:, 1])
    best_1 = np.full((judges_a.size, judges_b.size), -np.inf)  # per (A, B): best entry 1
    np.maximum.at(best_1, a_of, gain_1)
    best_2 = np.full((judges_a.size, judges_b.size), -np.inf)  # per (A, B): best entry 2
    np.maximum.at(best_2.T, b_of, gain_2)
    total = best_1 + best_2
    order = np.argsort(-total, axis=None, kind="stable")[:SWAP_TRIES]
    found = []
    for flat in order.tolist():
        if not np.isfinite(total.flat[flat]):
            break
        a, b = divmod(flat, judges_b.size)
        rows_1 = np.flatnonzero(a_of == a)
        rows_2 = np.flatnonzero(b_of == b)
        entry_1 = int(side_a[rows_1[np.argmax(gain_1[rows_1, b])], 0])
        entry_2 = int(side_b[rows_2[np.argmax(gain_2[rows_2, a])], 0])
        found.append((entry_1, int(judges_a[a]), entry_2, int(judges_b[b])))
    return found


def _gains(side, judges, allowed, affinity, on_entry):
    """For each pair (entry, judge) of `side` and each of `judges`: the affinity gained when that judge takes the
    entry instead; -inf where not allowed or already on it."""
    entries, current = side[:, 0], side[:, 1]
    gain = affinity[entries[:, None], judges[None, :]] - affinity[entries, current][:, None]
    possible = allowed[entries[:, None], judges[None, :]] & ~on_entry[entries[:, None], judges[None, :]]
    return np.where(possible, gain, -np.inf)


def _addition(mine, label, main, other, allowed, affinity, capacity, load, on_entry):
    """One review added across the two panels: a judge with room on an entry of the other panel, best affinity."""
    best, found = -np.inf, None
    for side, receiving in ((main, other), (other, main)):
        entries = np.unique(mine[label[mine[:, 1]] == side, 0])
        judges = np.flatnonzero((label == receiving) & (load < capacity))
        if not entries.size or not judges.size:
            continue
        possible = allowed[entries[:, None], judges[None, :]] & ~on_entry[entries[:, None], judges[None, :]]
        score = np.where(possible, affinity[entries[:, None], judges[None, :]], -np.inf)
        flat = int(np.argmax(score))
        if np.isfinite(score.flat[flat]) and score.flat[flat] > best:
            row, column = divmod(flat, judges.size)
            best, found = score.flat[flat], (int(entries[row]), int(judges[column]))
    return found


def _apply(pairs: np.ndarray, change: tuple[int, ...]) -> np.ndarray:
    if len(change) == 2:
        return np.unique(np.vstack((pairs, np.array([change], dtype=np.int64))), axis=0)
    entry_1, judge_a, entry_2, judge_b = change
    pairs = pairs.copy()
    pairs[(pairs[:, 0] == entry_1) & (pairs[:, 1] == judge_a)] = (entry_1, judge_b)
    pairs[(pairs[:, 0] == entry_2) & (pairs[:, 1] == judge_b)] = (entry_2, judge_a)
    return np.unique(pairs, axis=0)


@dataclass(frozen=True)
class CategoryCounts:
    """One category's assignments as the round's page shows them (`category_counts`)."""

    rows: int  # assignments in any state
    assignments: int  # active ones
    judges: int  # judges with an active assignment
    entries_by_judges: dict[int, int]  # n -> entries with n active judges, over the entries with any assignment
    panel_sizes: tuple[int, ...]  # judges per panel (judges linked through shared entries), largest first
    short_entries: tuple[tuple[int, int], ...]  # (entry, active judges) below k, fewest first, at most `shown`


def category_counts(rows: np.ndarray, *, judges_per_entry: int, shown: int = 20) -> dict[int, CategoryCounts]:
    """Per category, from (category, entry, judge, active) rows of a round's assignments in any order: the counts
    and the panels of its active assignments, and the first `shown` of its entries with an assignment (in any
    state) but fewer than `judges_per_entry` active judges. Each category's graph of entries and judges is split
    into connected components; a panel's size is its number of judges."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    counted: dict[int, CategoryCounts] = {}
    for category in np.unique(rows[:, 0]).tolist():
        everything = rows[rows[:, 0] == category]
        active = everything[:, 3] != 0
        entries, entry_idx = np.unique(everything[:, 1], return_inverse=True)
        entry_idx = entry_idx.reshape(-1)
        judges, judge_idx = np.unique(everything[active, 2], return_inverse=True)
        judges_of = np.bincount(entry_idx[active], minlength=entries.size)  # active judges of each entry
        sizes: tuple[int, ...] = ()
        if active.any():
            size = entries.size + judges.size
            graph = sp.coo_matrix((np.ones(int(active.sum()), dtype=np.int8),
                                   (entry_idx[active], entries.size + judge_idx.reshape(-1))), shape=(size, size))
            _count, labels = connected_components(graph, directed=False)
            sizes = tuple(sorted((int(n) for n in np.bincount(labels[entries.size:]) if n), reverse=True))
        short = np.flatnonzero(judges_of < judges_per_entry)
        short = short[np.lexsort((entries[short], judges_of[short]))][:shown]
        counted[int(category)] = CategoryCounts(
            rows=int(everything.shape[0]), assignments=int(active.sum()), judges=int(judges.size),
            entries_by_judges={n: int(c) for n, c in enumerate(np.bincount(judges_of).tolist()) if c},
            panel_sizes=sizes,
            short_entries=tuple((int(entries[i]), int(judges_of[i])) for i in short),
        )
    return counted
