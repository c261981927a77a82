#!/bin/bash
mkdir -p /app/raw
for a in /app/inbox/*.tar.gz; do tar -xzf "$a" -C /app/raw --strip-components=1; done
{ echo "station,day,temp_c"; for f in /app/raw/part*.csv; do tail -n +2 "$f"; done; } > /app/raw/all.csv
