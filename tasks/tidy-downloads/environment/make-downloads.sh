#!/bin/bash
# Creates the messy folder the task starts from.
set -e
d=/app/downloads; mkdir -p $d/old
echo "quarterly numbers" > "$d/report Q3.pdf"
echo "quarterly numbers" > "$d/report Q3 (1).pdf"
echo "holiday" > $d/beach.JPG
echo "cat" > $d/cat.jpg
echo "tune" > $d/song.mp3
echo "notes" > $d/todo.txt
echo "older notes" > $d/old/ideas.txt
echo "partial" > $d/movie.mkv.part
echo "partial2" > $d/setup.bin.crdownload
echo "archive" > $d/backup.tar.gz
echo "same cat" > $d/cat-copy.jpg
cp $d/cat.jpg $d/old/cat.jpg
touch $d/empty.txt
