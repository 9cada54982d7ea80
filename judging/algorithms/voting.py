"""The Schulze method (winning votes) for a committee's vote on a shortlist.

A ballot ranks candidates in groups: ``[[a], [b, c], [d]]`` reads a > b = c > d. Candidates
the voter may rank but left off the ballot rank below every listed one, tied with each other.
A member recused from a candidate (a conflict of interest) does not rank it at all: the
caller passes that voter's ``eligible`` set without it, and for that ballot every pair that
involves an ineligible candidate counts in neither direction. This is recusal, not "ranked
last": ranking a candidate last would count as a vote against it on every pair.

The method, after Markus Schulze, "A new monotonic, clone-independent, reversal symmetric,
and Condorcet-consistent single-winner election method", Social Choice and Welfare 36
(2011) 267-303:

1. ``d[x][y]`` is the number of ballots that prefer x to y.
2. A link x -> y has strength ``d[x][y]`` when ``d[x][y] > d[y][x]`` (winning votes) and
   does not exist otherwise. ``p[x][y]`` is the strength of the strongest path from x to y,
   a path being as strong as its weakest link (widest paths, Floyd-Warshall style, O(n^3)).
3. x beats y when ``p[x][y] > p[y][x]``.

Schulze proves (section 4.1 of the paper) that "beats" is transitive; it is also
irreflexive, so it is a strict partial order. Hence the ordering below is well defined:
among any non-empty set of candidates at least one is beaten by none of the others, so
taking, again and again, all remaining candidates that no remaining candidate beats always
takes someone and ends. Within a group nobody beats anybody; a candidate never stands below
a candidate it beats; and each candidate after the first group is beaten by someone in the
group just above it. Candidates in one group are tied: the method never breaks a tie, that
is the committee's (or the chair's) decision.

Plain Python, no Django: a shortlist has a handful of candidates, and n^3 of a handful is
nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

METHOD = "schulze-winning-votes"
VERSION = "1"


@dataclass(frozen=True)
class Ballot[C: Hashable]:
    """One voter's ranking, best group first, and the candidates that voter may rank.

    ``eligible=None`` means every candidate: no recusal.
    """

    ranking: Sequence[Iterable[C]]
    eligible: frozenset[C] | None = None


@dataclass(frozen=True)
class SchulzeResult[C: Hashable]:
    candidates: tuple[C, ...]
    # pairwise[x][y]: ballots preferring x to y (x != y; no diagonal).
    pairwise: dict[C, dict[C, int]]
    # strongest[x][y]: strength of the strongest path from x to y, 0 when there is none.
    strongest: dict[C, dict[C, int]]
    # Groups of tied candidates, best first; inside a group in the order the candidates were given.
    order: list[list[C]]
    method: str = METHOD
    version: str = VERSION

    def beats(self, x: C, y: C) -> bool:
        return self.strongest[x][y] > self.strongest[y][x]

    @property
    def winners(self) -> list[C]:
        """The first group: one winner, or several tied ones (an empty list when nobody stands)."""
        return list(self.order[0]) if self.order else []


def schulze[C: Hashable](
    candidates: Iterable[C], ballots: Iterable[Ballot[C] | Sequence[Iterable[C]]]
) -> SchulzeResult[C]:
    """Count the ballots and rank the candidates by the Schulze method (winning votes).

    A ballot is a ``Ballot`` or, when the voter may rank every candidate, just its ranking
    (a sequence of groups). Raises ValueError for a candidate named twice, a ballot naming an
    unknown candidate or one outside that voter's eligible set, or a candidate ranked twice.
    """
    names = tuple(candidates)
    if len(set(names)) != len(names):
        raise ValueError("A candidate is named twice.")
    known = frozenset(names)

    pairwise: dict[C, dict[C, int]] = {x: {y: 0 for y in names if y != x} for x in names}
    for ballot in ballots:
        if not isinstance(ballot, Ballot):
            ballot = Ballot(ranking=ballot)
        rank = _ranks(ballot, known)
        # Only candidates this voter may rank take part in this ballot's pairs.
        voters_candidates = [x for x in names if x in rank]
        for x in voters_candidates:
            row = pairwise[x]
            for y in voters_candidates:
                if rank[x] < rank[y]:
                    row[y] += 1

    strongest = _strongest_paths(names, pairwise)
    return SchulzeResult(
        candidates=names,
        pairwise=pairwise,
        strongest=strongest,
        order=_order(names, strongest),
    )


def _ranks[C: Hashable](ballot: Ballot[C], known: frozenset[C]) -> dict[C, int]:
    """Each eligible candidate's position on the ballot (0 best); the unlisted share the last one."""
    eligible = known if ballot.eligible is None else frozenset(ballot.eligible)
    if not eligible <= known:
        raise ValueError("A ballot's eligible set names an unknown candidate.")
    rank: dict[C, int] = {}
    groups = [list(group) for group in ballot.ranking]
    for position, group in enumerate(groups):
        for candidate in group:
            if candidate not in known:
                raise ValueError(f"A ballot names an unknown candidate: {candidate!r}.")
            if candidate not in eligible:
                raise ValueError(f"A ballot ranks {candidate!r}, which that voter may not rank.")
            if candidate in rank:
                raise ValueError(f"A ballot ranks {candidate!r} twice.")
            rank[candidate] = position
    for candidate in eligible:
        rank.setdefault(candidate, len(groups))
    return rank


def _strongest_paths[C: Hashable](names: tuple[C, ...], d: dict[C, dict[C, int]]) -> dict[C, dict[C, int]]:
    p = {x: {y: (d[x][y] if d[x][y] > d[y][x] else 0) for y in names if y != x} for x in names}
    for via in names:
        for x in names:
            if x == via:
                continue
            to_via = p[x][via]
            if not to_via:
                continue
            row = p[x]
            for y in names:
                if y == x or y == via:
                    continue
                through = min(to_via, p[via][y])
                if through > row[y]:
                    row[y] = through
    return p


def _order[C: Hashable](names: tuple[C, ...], p: dict[C, dict[C, int]]) -> list[list[C]]:
    remaining = list(names)
    order: list[list[C]] = []
    while remaining:
        unbeaten = [y for y in remaining if not any(p[x][y] > p[y][x] for x in remaining if x != y)]
        if not unbeaten:  # impossible for a transitive relation; guards against an endless loop
            raise AssertionError("The Schulze relation has a cycle.")
        order.append(unbeaten)
        remaining = [x for x in remaining if x not in unbeaten]
    return order
