#!/bin/bash
. /tests/lib.sh
cd /app/wc 2>/dev/null
make clean >/dev/null 2>&1
check "make succeeds" make
check "flags kept" grep -q -- "-Wall -Werror" Makefile
printf "a\nb\nc\n" > /tmp/three.txt
check "counts a file" test "$(./lc /tmp/three.txt)" = 3
check "counts stdin" test "$(./lc < /tmp/three.txt)" = 3
finish
