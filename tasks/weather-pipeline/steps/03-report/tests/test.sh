#!/bin/bash
. /tests/lib.sh
check "report matches clean.csv" python3 -c "
import csv, json
rows = list(csv.DictReader(open(\"/app/clean.csv\")))
rep = json.load(open(\"/app/report.json\"))
st = sorted({r[\"station\"] for r in rows})
assert sorted(rep) == st, rep.keys()
for s in st:
    t = [float(r[\"temp_c\"]) for r in rows if r[\"station\"] == s]
    e = rep[s]
    assert e[\"count\"] == len(t) and abs(e[\"min\"] - min(t)) < 1e-9 and abs(e[\"max\"] - max(t)) < 1e-9, e
    assert abs(e[\"mean\"] - round(sum(t) / len(t), 1)) < 1e-9, e
"
finish
