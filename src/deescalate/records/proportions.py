"""Comparing two shares of calls, as `records report` does for playbook versions.

The methods, named so a reader can check them (docs/report.md says the same):

- a share's 95% interval is Wilson's score interval (Wilson 1927), which stays inside
  0..1 and behaves with few calls or shares near 0% and 100%;
- the interval of a difference of two shares is Newcombe's hybrid score interval
  (Newcombe 1998, method 10), built from the two Wilson intervals;
- whether a difference is more than chance would explain is the two-sided
  two-proportion z-test with the pooled share, at the 5% level;
- "about N more calls of each" is the usual normal-approximation sample size for that
  test (5% level, 80% power) at the shares seen so far, less the calls there are.

Standard library only (`statistics.NormalDist`); tests check every figure against
statsmodels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

LEVEL = 0.95  # of every interval
ALPHA = 0.05  # of the test
POWER = 0.80  # of the test, for the calls still needed
# Below this many calls in a version, or fewer than this many calls on either side of
# a share (the test's normal approximation needs both), no verdict is given.
FEWEST = 10
FEWEST_EACH_SIDE = 5

_NORMAL = NormalDist()


def _z(level: float = LEVEL) -> float:
    return _NORMAL.inv_cdf(0.5 + level / 2)


def wilson(part: int, whole: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson's score interval for the share `part / whole`; (0, 1) when `whole` is 0."""
    if whole <= 0:
        return 0.0, 1.0
    z = _z(level)
    share = part / whole
    middle = share + z * z / (2 * whole)
    spread = z * math.sqrt(share * (1 - share) / whole + z * z / (4 * whole * whole))
    under = 1 + z * z / whole
    return max(0.0, (middle - spread) / under), min(1.0, (middle + spread) / under)


def newcombe(part1: int, whole1: int, part2: int, whole2: int,
             level: float = LEVEL) -> tuple[float, float]:
    """Newcombe's hybrid score interval for share 1 minus share 2."""
    p1, p2 = part1 / whole1, part2 / whole2
    low1, high1 = wilson(part1, whole1, level)
    low2, high2 = wilson(part2, whole2, level)
    difference = p1 - p2
    below = math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    above = math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return difference - below, difference + above


def two_proportion_p(part1: int, whole1: int, part2: int, whole2: int) -> float:
    """The two-sided p-value of the pooled two-proportion z-test (1.0 when every call
    went the same way: nothing tells the two apart)."""
    pooled = (part1 + part2) / (whole1 + whole2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / whole1 + 1 / whole2))
    if spread == 0:
        return 1.0
    z = (part1 / whole1 - part2 / whole2) / spread
    return 2 * _NORMAL.cdf(-abs(z))


def calls_needed(share1: float, share2: float, alpha: float = ALPHA,
                 power: float = POWER) -> float:
    """Calls needed in each of two equal groups for the two-sided test at `alpha` to
    tell `share1` from `share2` with `power` (inf when they are equal)."""
    if share1 == share2:
        return math.inf
    mean = (share1 + share2) / 2
    crit = _NORMAL.inv_cdf(1 - alpha / 2)
    beta = _NORMAL.inv_cdf(power)
    top = (crit * math.sqrt(2 * mean * (1 - mean))
           + beta * math.sqrt(share1 * (1 - share1) + share2 * (1 - share2)))
    return (top / (share1 - share2)) ** 2


@dataclass(frozen=True)
class Share:
    """`part` of `whole` calls, with its interval."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.part, self.whole) if self.whole else None


@dataclass(frozen=True)
class Comparison:
    """A figure of a newer version against an older one: `verdict` is "better",
    "worse", "no difference" or "too few"; `sentence` says it in words."""

    newer: Share
    older: Share
    difference: tuple[float, float] | None  # Newcombe's interval, newer minus older
    p_value: float | None
    verdict: str
    sentence: str
    more_calls: int | None  # of each, for "too few"; None when no count would tell


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def compare(newer: Share, older: Share, *, names: tuple[str, str], verbs: tuple[str, str],
            lower_is_better: bool = False) -> Comparison:
    """The verdict on one figure: `names` the newer and the older version as said
    ("version 3"), `verbs` the figure going up and going down ("resolves more calls",
    "resolves fewer calls")."""
    if newer.whole == 0 or older.whole == 0:
        return Comparison(newer, older, None, None, "too few",
                          f"not enough calls yet to tell: {names[0 if not newer.whole else 1]}"
                          " has none", None)
    p1, p2 = newer.part / newer.whole, older.part / older.whole
    difference = newcombe(newer.part, newer.whole, older.part, older.whole)
    p_value = two_proportion_p(newer.part, newer.whole, older.part, older.whole)
    shares = f"{percent(p1)} against {percent(p2)}"
    enough = all(share.whole >= FEWEST and min(share.part, share.whole - share.part)
                 >= FEWEST_EACH_SIDE for share in (newer, older))
    if enough and p_value < ALPHA:
        up = p1 > p2
        return Comparison(newer, older, difference, p_value,
                          "better" if up != lower_is_better else "worse",
                          f"{names[0]} {verbs[0 if up else 1]} than {names[1]}: {shares},"
                          " more than chance would explain", None)
    needed = calls_needed(p1, p2)
    fewest = min(newer.whole, older.whole)
    if enough and (math.isinf(needed) or needed <= fewest):
        return Comparison(newer, older, difference, p_value, "no difference",
                          f"no difference more than chance would explain: {shares}", None)
    if math.isinf(needed):
        return Comparison(newer, older, difference, p_value, "too few",
                          f"not enough calls yet to tell: the shares are the same so far"
                          f" ({shares})", None)
    more = max(math.ceil(needed) - fewest, FEWEST - fewest, 1)
    return Comparison(newer, older, difference, p_value, "too few",
                      f"not enough calls yet to tell: about {more:,} more of each ({shares})",
                      more)
