#!/bin/bash
mkdir -p /logs/verifier
python3 - <<'P'
import csv, sys
from collections import defaultdict
from decimal import Decimal
want = defaultdict(Decimal)
for row in csv.DictReader(open('/app/sales.csv')):
    want[row['region']] += Decimal(row['units']) * Decimal(row['unit_price'])
expected = ['region,revenue'] + [f'{r},{want[r]:.2f}' for r in sorted(want)]
try:
    got = open('/app/totals.csv').read().strip().splitlines()
except FileNotFoundError:
    got = []
ok = [l.strip() for l in got] == expected
if not ok:
    print('expected:', expected); print('got:', got)
open('/logs/verifier/reward.txt', 'w').write('1\n' if ok else '0\n')
P
