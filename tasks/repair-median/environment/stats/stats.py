"""Small statistics helpers used by the reporting job."""


def mean(values):
    if not values:
        raise ValueError("mean of empty data")
    return sum(values) / len(values)


def median(values):
    if not values:
        raise ValueError("median of empty data")
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid]


def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p% of the data at or below it."""
    if not values:
        raise ValueError("percentile of empty data")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    rank = int(p / 100 * len(ordered))
    return ordered[rank - 1]
