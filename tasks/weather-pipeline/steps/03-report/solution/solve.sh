#!/bin/bash
python3 - <<'PY'
import csv, json
from collections import defaultdict
temps = defaultdict(list)
for r in csv.DictReader(open("/app/clean.csv")):
    temps[r["station"]].append(float(r["temp_c"]))
report = {s: {"count": len(t), "min": min(t), "max": max(t), "mean": round(sum(t) / len(t), 1)} for s, t in sorted(temps.items())}
json.dump(report, open("/app/report.json", "w"), indent=2)
PY
