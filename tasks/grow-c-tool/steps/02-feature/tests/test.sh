#!/bin/bash
. /tests/lib.sh
cd /app/wc 2>/dev/null
make clean >/dev/null 2>&1
check "make succeeds" make
printf "one two  three\n four\n\nfive six\n" > /tmp/words.txt
check "lines still counted" test "$(./lc /tmp/words.txt)" = 4
check "-w counts words of a file" test "$(./lc -w /tmp/words.txt)" = 6
check "-w counts words of stdin" test "$(./lc -w < /tmp/words.txt)" = 6
check "empty input" test "$(./lc -w < /dev/null)" = 0
finish
