#!/bin/bash
cd /app/downloads
find . -type f \( -name '*.part' -o -name '*.crdownload' \) -delete
find . -type f -empty -delete
mkdir -p images documents audio archives
move() { # dest, find args...
  local dest=$1; shift
  find . -path "./$dest" -prune -o -type f \( "$@" \) -print0 | while IFS= read -r -d '' f; do
    base=$(basename "$f")
    if [ -e "$dest/$base" ]; then rm "$f"; else mv "$f" "$dest/"; fi
  done
}
move images -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png'
move documents -iname '*.pdf' -o -iname '*.txt'
move audio -iname '*.mp3'
move archives -iname '*.tar.gz' -o -iname '*.zip'
for dir in images documents audio archives; do
  declare -A seen=()
  while IFS= read -r f; do
    sum=$(md5sum < "$dir/$f" | cut -d' ' -f1)
    if [ -n "${seen[$sum]:-}" ]; then rm "$dir/$f"; else seen[$sum]=1; fi
  done < <(ls "$dir" | LC_ALL=C sort)
  unset seen
done
find . -mindepth 1 -type d -empty -not -name images -not -name documents -not -name audio -not -name archives -delete
