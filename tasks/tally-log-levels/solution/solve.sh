#!/bin/bash
grep -o '\[[A-Z]*\]' /app/logs/app.log | tr -d '[]' | sort | uniq -c | sort -k1,1nr -k2 | awk '{print $2" "$1}' > /app/report.txt
