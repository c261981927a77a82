import sys
from stats import mean, median, percentile

values = [float(x) for x in sys.stdin.read().split()]
print(f"mean={mean(values):.2f} median={median(values):.2f} p90={percentile(values, 90):.2f}")
