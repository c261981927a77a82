#!/bin/bash
. /tests/lib.sh
cd /app/project 2>/dev/null
check "branch exists" git rev-parse --verify feature/greeting
check "main unchanged (1 commit)" test "$(git rev-list --count main)" = 1
check "feature has 2 commits" test "$(git rev-list --count feature/greeting)" = 2
check "greet.sh committed on the branch" git cat-file -e feature/greeting:greet.sh
tmp=$(mktemp -d); git --work-tree=$tmp checkout feature/greeting -- greet.sh 2>/dev/null; git reset -q 2>/dev/null
check "greet.sh executable in the commit" test "$(git ls-tree feature/greeting greet.sh | cut -c1-6)" = 100755
check "greet.sh prints the greeting" test "$(bash $tmp/greet.sh Ada)" = "Hello, Ada!"
finish
