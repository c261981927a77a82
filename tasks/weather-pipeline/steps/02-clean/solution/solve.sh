#!/bin/bash
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("/app/raw/all.csv")))
def num(v):
    try:
        float(v)
        return True
    except ValueError:
        return False
rows = sorted((r for r in rows if num(r["temp_c"])), key=lambda r: (r["station"], r["day"]))
with open("/app/clean.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["station", "day", "temp_c"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
PY
