#!/bin/bash
. /tests/lib.sh
check "part1.csv extracted" test -f /app/raw/part1.csv
check "part2.csv extracted" test -f /app/raw/part2.csv
check "no subfolders" test -z "$(find /app/raw -mindepth 1 -type d)"
check "one header" test "$(grep -c "^station,day,temp_c$" /app/raw/all.csv)" = 1
check "header first" test "$(head -n1 /app/raw/all.csv)" = "station,day,temp_c"
check "all rows" test "$(wc -l < /app/raw/all.csv)" = 61
finish
