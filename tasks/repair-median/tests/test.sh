#!/bin/bash
mkdir -p /logs/verifier
cd /app/stats && python3 - <<'P'
import math
ok = True
def check(name, got, want):
    global ok
    if not (got == want or (isinstance(want, float) and math.isclose(got, want))):
        print(f'FAIL {name}: got {got!r}, want {want!r}'); ok = False
    else:
        print(f'ok   {name}')
try:
    from stats import mean, median, percentile
    check('median odd', median([3, 1, 2]), 2)
    check('median even', median([4, 1, 3, 2]), 2.5)
    check('median even floats', median([1.0, 10.0]), 5.5)
    check('p50 of 5', percentile([1, 2, 3, 4, 5], 50), 3)
    check('p90 of 10', percentile(list(range(1, 11)), 90), 9)
    check('p100', percentile([5, 1, 9], 100), 9)
    check('p1 of 3', percentile([5, 1, 9], 1), 1)
    check('p34 of 3', percentile([5, 1, 9], 34), 5)
    check('mean', mean([1, 2, 3, 4]), 2.5)
    for bad in ([],):
        try:
            median(bad); print('FAIL median([]) must raise'); ok = False
        except ValueError:
            pass
    import subprocess
    out = subprocess.run(['python3', 'report.py'], input='1 2 3 4', capture_output=True, text=True).stdout.strip()
    check('report', out, 'mean=2.50 median=2.50 p90=4.00')
except Exception as e:
    print('error:', e); ok = False
open('/logs/verifier/reward.txt', 'w').write('1\n' if ok else '0\n')
P
