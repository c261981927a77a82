#!/bin/bash
. /tests/lib.sh
check "clean.csv exists" test -f /app/clean.csv
check "content" python3 -c "
import csv
rows = [r for r in csv.DictReader(open(\"/app/raw/all.csv\"))]
def num(v):
    try: float(v); return True
    except ValueError: return False
want = sorted((r for r in rows if num(r[\"temp_c\"])), key=lambda r: (r[\"station\"], r[\"day\"]))
got = list(csv.DictReader(open(\"/app/clean.csv\")))
assert open(\"/app/clean.csv\").readline().strip() == \"station,day,temp_c\"
assert [(r[\"station\"], r[\"day\"], float(r[\"temp_c\"])) for r in got] == [(r[\"station\"], r[\"day\"], float(r[\"temp_c\"])) for r in want]
"
finish
