import itertools
import random
import subprocess
import sys
from pathlib import Path

import pytest

from judging.algorithms.voting import METHOD, VERSION, Ballot, schulze

REPO_ROOT = Path(__file__).resolve().parents[3]

# The example of Wikipedia's "Schulze method" article: 45 voters, 5 candidates.
WIKIPEDIA_VOTERS = {"ACBED": 5, "ADECB": 5, "BEDAC": 8, "CABED": 3, "CAEBD": 7, "CBADE": 2, "DCEBA": 7, "EBADC": 8}


def strict_ballot(letters: str) -> list[list[str]]:
    return [[letter] for letter in letters]


def wikipedia_ballots() -> list[list[list[str]]]:
    return [strict_ballot(letters) for letters, count in WIKIPEDIA_VOTERS.items() for _ in range(count)]


def table(rows: dict[str, list[int | None]]) -> dict[str, dict[str, int]]:
    """A matrix written as in the article, "-" (None) on the diagonal."""
    names = list(rows)
    return {x: {y: value for y, value in zip(names, row) if value is not None} for x, row in rows.items()}


def test_wikipedia_example_pairwise_strongest_paths_and_order():
    result = schulze("ABCDE", wikipedia_ballots())

    # d[x][y], by hand: the voter groups with x before y. For instance d[A][B] = ACBED 5 + ADECB 5
    # + CABED 3 + CAEBD 7 = 20, and d[B][A] = BEDAC 8 + CBADE 2 + DCEBA 7 + EBADC 8 = 25 (20 + 25 = 45).
    assert result.pairwise == table({
        "A": [None, 20, 26, 30, 22],
        "B": [25, None, 16, 33, 18],
        "C": [19, 29, None, 17, 24],
        "D": [15, 12, 28, None, 14],
        "E": [23, 27, 21, 31, None],
    })
    # The links, one per pair, on the winning side: A->C 26, A->D 30, B->A 25, B->D 33, C->B 29,
    # C->E 24, D->C 28, E->A 23, E->B 27, E->D 31. Strongest paths, for instance:
    # p[A][B] = 28 along A-30->D-28->C-29->B; p[E][D] = 31 directly; p[C][A] = 25 along C-29->B-25->A;
    # p[A][E] = 24 along A-30->D-28->C-24->E; p[E][C] = 28 along E-31->D-28->C.
    assert result.strongest == table({
        "A": [None, 28, 28, 30, 24],
        "B": [25, None, 28, 33, 24],
        "C": [25, 29, None, 29, 24],
        "D": [25, 28, 28, None, 24],
        "E": [25, 28, 28, 31, None],
    })
    assert result.order == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result.winners == ["E"]
    assert (result.method, result.version) == (METHOD, VERSION) == ("schulze-winning-votes", "1")


def test_wikipedia_pairwise_matches_a_plain_count_of_the_letters():
    counted = {
        x: {y: sum(count for letters, count in WIKIPEDIA_VOTERS.items() if letters.index(x) < letters.index(y))
            for y in "ABCDE" if y != x}
        for x in "ABCDE"
    }
    assert schulze("ABCDE", wikipedia_ballots()).pairwise == counted


def test_condorcet_cycle_of_equal_strength_is_one_tie():
    # Rock beats scissors, scissors beat paper, paper beats rock, each by 2 votes to 1.
    ballots = [strict_ballot("RSP"), strict_ballot("PRS"), strict_ballot("SPR")]
    result = schulze("RPS", ballots)
    assert result.pairwise == table({"R": [None, 1, 2], "P": [2, None, 1], "S": [1, 2, None]})
    assert result.strongest == table({"R": [None, 2, 2], "P": [2, None, 2], "S": [2, 2, None]})
    assert result.order == [["R", "P", "S"]]
    assert result.winners == ["R", "P", "S"]


def test_cycle_of_unequal_strength_is_broken_at_its_weakest_link():
    # R beats S 3:2, S beats P 4:1, P beats R 3:2: the cycle R->S->P->R has two weakest links of 3.
    ballots = [strict_ballot("RSP")] * 2 + [strict_ballot("SPR")] * 2 + [strict_ballot("PRS")]
    result = schulze("RSP", ballots)
    assert result.pairwise == table({"R": [None, 3, 2], "S": [2, None, 4], "P": [3, 1, None]})
    # R->S 3, S->P 4, P->R 3: p[S][R] = min(4, 3) = 3 = p[R][S], p[R][P] = 3 = p[P][R], but p[S][P] = 4 > p[P][S] = 3.
    assert result.strongest == table({"R": [None, 3, 3], "S": [3, None, 4], "P": [3, 3, None]})
    # S beats P while R ties with both: the groups are levels (nobody in a group beats another,
    # nobody stands below someone they beat), not classes of an equivalence.
    assert result.order == [["R", "S"], ["P"]]


def test_an_even_split_is_a_tie_and_a_clear_winner_stands_alone():
    assert schulze("ab", [[["a"], ["b"]], [["b"], ["a"]]]).order == [["a", "b"]]
    result = schulze("abc", [[["a"], ["b"], ["c"]], [["a"], ["c"], ["b"]]])
    assert result.pairwise == table({"a": [None, 2, 2], "b": [0, None, 1], "c": [0, 1, None]})
    assert result.order == [["a"], ["b", "c"]]
    assert not result.beats("b", "c") and not result.beats("c", "b")


def test_ties_on_a_ballot_and_omitted_candidates_rank_below_the_listed_ones():
    # a > b = c, and d omitted: below b and c, so also below a.
    result = schulze("abcd", [[["a"], ["b", "c"]]])
    assert result.pairwise == table({
        "a": [None, 1, 1, 1],
        "b": [0, None, 0, 1],
        "c": [0, 0, None, 1],
        "d": [0, 0, 0, None],
    })
    assert result.order == [["a"], ["b", "c"], ["d"]]
    # An empty ballot ranks everybody equal: it counts for no pair.
    assert schulze("abcd", [[]]).order == [["a", "b", "c", "d"]]


def test_a_recused_voter_counts_for_no_pair_with_that_candidate():
    honest = [[["a"], ["b"], ["c"]]] * 3 + [[["b"], ["a"], ["c"]]] * 2
    # Two members declared a conflict with a: they may rank only b and c.
    recused = [Ballot(ranking=[["b"], ["c"]], eligible=frozenset("bc"))] * 2
    result = schulze("abc", honest + recused)
    assert result.pairwise == table({"a": [None, 3, 5], "b": [2, None, 7], "c": [0, 0, None]})
    assert result.pairwise["a"] == schulze("abc", honest).pairwise["a"]
    assert result.order == [["a"], ["b"], ["c"]]

    # Had those two ballots counted a as ranked last, b would have won 4:3.
    as_ranked_last = [[["b"], ["c"]]] * 2
    ranked_last = schulze("abc", honest + as_ranked_last)
    assert ranked_last.pairwise["b"]["a"] == 4 and ranked_last.pairwise["a"]["b"] == 3
    assert ranked_last.order == [["b"], ["a"], ["c"]]


def test_a_recused_voter_still_counts_on_the_other_pairs():
    result = schulze("abc", [Ballot(ranking=[["c"], ["b"]], eligible=frozenset("bc"))])
    assert result.pairwise == table({"a": [None, 0, 0], "b": [0, None, 0], "c": [0, 1, None]})
    # An eligible candidate left off still ranks last among the ones that voter may rank.
    assert schulze("abc", [Ballot(ranking=[["c"]], eligible=frozenset("bc"))]).pairwise["c"] == {"a": 0, "b": 1}


def test_a_single_candidate_wins_alone():
    result = schulze(["only"], [[["only"]], []])
    assert result.pairwise == {"only": {}}
    assert result.strongest == {"only": {}}
    assert result.order == [["only"]]


def test_no_ballots_ties_everybody_in_the_given_order():
    result = schulze(["x", "y", "z"], [])
    assert result.pairwise == table({"x": [None, 0, 0], "y": [0, None, 0], "z": [0, 0, None]})
    assert result.strongest == result.pairwise
    assert result.order == [["x", "y", "z"]]


def test_no_candidates_give_an_empty_order():
    result = schulze([], [])
    assert (result.order, result.winners) == ([], [])


@pytest.mark.parametrize(
    "ballot, message",
    [
        ([["a"], ["zz"]], "unknown candidate"),
        ([["a"], ["a", "b"]], "twice"),
        (Ballot(ranking=[["a"]], eligible=frozenset("bc")), "may not rank"),
        (Ballot(ranking=[["b"]], eligible=frozenset("bz")), "eligible set names an unknown"),
    ],
)
def test_a_malformed_ballot_is_refused(ballot, message):
    with pytest.raises(ValueError, match=message):
        schulze("abc", [ballot])


def test_a_candidate_named_twice_is_refused():
    with pytest.raises(ValueError, match="named twice"):
        schulze("aba", [])


def widest_path_by_enumeration(names, d, x, y):
    """The strongest path from x to y by trying every simple path: slow, obviously right."""
    def link(a, b):
        return d[a][b] if d[a][b] > d[b][a] else 0

    others = [c for c in names if c not in (x, y)]
    best = 0
    for length in range(len(others) + 1):
        for middle in itertools.permutations(others, length):
            path = (x, *middle, y)
            best = max(best, min(link(a, b) for a, b in itertools.pairwise(path)))
    return best


def test_random_elections_agree_with_enumeration_and_the_order_is_consistent():
    rng = random.Random(8)
    names = "abcde"
    for _ in range(150):
        ballots = []
        for _ in range(rng.randint(0, 9)):
            eligible = frozenset(c for c in names if rng.random() > 0.15)
            listed = [c for c in names if c in eligible and rng.random() > 0.2]
            rng.shuffle(listed)
            groups, i = [], 0
            while i < len(listed):
                size = rng.choice([1, 1, 1, 2])
                groups.append(listed[i:i + size])
                i += size
            ballots.append(Ballot(ranking=groups, eligible=eligible))
        result = schulze(names, ballots)

        for x, y in itertools.permutations(names, 2):
            assert result.strongest[x][y] == widest_path_by_enumeration(names, result.pairwise, x, y)
        for x, y, z in itertools.permutations(names, 3):  # Schulze's theorem: "beats" is transitive
            if result.beats(x, y) and result.beats(y, z):
                assert result.beats(x, z)
        position = {c: i for i, group in enumerate(result.order) for c in group}
        assert sorted(position) == sorted(names)
        for x, y in itertools.permutations(names, 2):
            if result.beats(x, y):
                assert position[x] < position[y]
        for i, group in enumerate(result.order[1:], start=1):
            for y in group:
                assert any(result.beats(x, y) for x in result.order[i - 1])


def test_importing_the_voting_module_loads_no_django():
    probe = (
        "import sys, judging.algorithms.voting\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
