#!/bin/bash
mkdir -p /logs/verifier
cd /app/downloads 2>/dev/null || { echo 0 > /logs/verifier/reward.txt; exit 0; }
expected='./archives/backup.tar.gz
./audio/song.mp3
./documents/ideas.txt
./documents/report Q3 (1).pdf
./documents/todo.txt
./images/beach.JPG
./images/cat-copy.jpg
./images/cat.jpg'
# "report Q3 (1).pdf" and "report Q3.pdf" have the same content: keep the one whose name sorts first.
expected=$(printf '%s\n' "$expected" | sort)
actual=$(find . -mindepth 1 \( -type f -o -type d -empty \) | LC_ALL=C sort)
expected=$(printf '%s\n' "$expected" | LC_ALL=C sort)
ok=1
if [ "$actual" != "$expected" ]; then echo "layout differs:"; diff <(echo "$expected") <(echo "$actual"); ok=0; fi
[ "$(ls -A | LC_ALL=C sort | tr '\n' ' ')" = "archives audio documents images " ] || { echo "unexpected top-level entries: $(ls -A)"; ok=0; }
[ "$(cat images/cat.jpg 2>/dev/null)" = cat ] || { echo "cat.jpg content wrong"; ok=0; }
echo $ok > /logs/verifier/reward.txt
