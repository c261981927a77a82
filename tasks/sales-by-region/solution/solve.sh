#!/bin/bash
python3 - <<'P'
import csv
from collections import defaultdict
from decimal import Decimal
totals = defaultdict(Decimal)
for row in csv.DictReader(open('/app/sales.csv')):
    totals[row['region']] += Decimal(row['units']) * Decimal(row['unit_price'])
with open('/app/totals.csv', 'w') as f:
    f.write('region,revenue\n')
    for region in sorted(totals):
        f.write(f'{region},{totals[region]:.2f}\n')
P
