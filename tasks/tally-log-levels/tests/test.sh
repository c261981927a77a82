#!/bin/bash
# Verifier: recomputes the expected report from the log and compares it with the agent's.
mkdir -p /logs/verifier
ok=1
expected=$(grep -o '\[[A-Z]*\]' /app/logs/app.log | tr -d '[]' | sort | uniq -c | sort -k1,1nr -k2 | awk '{print $2" "$1}')
actual=$(cat /app/report.txt 2>/dev/null)
if [ "$actual" != "$expected" ]; then echo "report.txt differs from the expected report:"; diff <(echo "$expected") <(echo "$actual"); ok=0; fi
if [ "$(wc -l < /app/logs/app.log)" != 240 ]; then echo "the log was modified"; ok=0; fi
echo $ok > /logs/verifier/reward.txt
