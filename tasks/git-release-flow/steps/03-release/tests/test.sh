#!/bin/bash
. /tests/lib.sh
cd /app/project 2>/dev/null
check "on main" test "$(git rev-parse --abbrev-ref HEAD)" = main
check "HEAD is a merge commit" test "$(git rev-list --parents -n1 HEAD | wc -w)" = 3
check "feature merged" git merge-base --is-ancestor feature/greeting main
check "annotated tag v1.0" test "$(git cat-file -t v1.0)" = tag
check "tag points at HEAD" test "$(git rev-parse v1.0^{commit})" = "$(git rev-parse HEAD)"
check "greet.sh on main" test -x greet.sh
check "clean tree" test -z "$(git status --porcelain)"
finish
