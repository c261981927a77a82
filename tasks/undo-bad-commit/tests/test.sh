#!/bin/bash
mkdir -p /logs/verifier
cd /app/repo || { echo 0 > /logs/verifier/reward.txt; exit 0; }
ok=1
[ "$(git rev-parse --abbrev-ref HEAD)" = main ] || { echo "not on main"; ok=0; }
[ "$(git rev-list --count HEAD)" = 5 ] || { echo "expected 5 commits (4 + the revert), got $(git rev-list --count HEAD)"; ok=0; }
for msg in "Add server config" "Add README" "Tune server settings" "Add license section"; do
  git log --format=%s | grep -qx "$msg" || { echo "commit '$msg' is gone"; ok=0; }
done
grep -qx 'port = 8080' config.ini || { echo "port not restored"; ok=0; }
grep -q 'debug' config.ini && { echo "debug line still there"; ok=0; }
grep -q 'MIT' README.md || { echo "license section lost"; ok=0; }
[ -z "$(git status --porcelain)" ] || { echo "working tree not clean"; ok=0; }
echo $ok > /logs/verifier/reward.txt
