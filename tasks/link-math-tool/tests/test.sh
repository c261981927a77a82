#!/bin/bash
mkdir -p /logs/verifier
cd /app/src || { echo 0 > /logs/verifier/reward.txt; exit 0; }
ok=1
make clean >/dev/null 2>&1
if ! make 2>&1; then echo "make failed"; ok=0; fi
[ "$(./hypot 3 4 2>/dev/null)" = "5.000" ] || { echo "hypot 3 4 is wrong"; ok=0; }
[ "$(./hypot 5 12 2>/dev/null)" = "13.000" ] || { echo "hypot 5 12 is wrong"; ok=0; }
[ "$(./hypot 1.5 2 2>/dev/null)" = "2.500" ] || { echo "hypot 1.5 2 is wrong"; ok=0; }
make clean >/dev/null 2>&1 && [ ! -e hypot ] || { echo "make clean does not remove hypot"; ok=0; }
echo $ok > /logs/verifier/reward.txt
