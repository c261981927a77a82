#!/bin/bash
. /tests/lib.sh
cd /app/project 2>/dev/null
check "repository exists" git rev-parse --git-dir
check "on main" test "$(git rev-parse --abbrev-ref HEAD)" = main
check "exactly one commit" test "$(git rev-list --count HEAD)" = 1
check "commit message" test "$(git log -1 --format=%s)" = "Initial commit"
check "README first line" test "$(git show HEAD:README.md | head -n1)" = "# Project"
finish
