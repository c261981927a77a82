#!/bin/bash
. /tests/lib.sh
cd /app/wc 2>/dev/null
rm -rf /tmp/pfx
check "install to a prefix" make install PREFIX=/tmp/pfx
check "installed binary" test -x /tmp/pfx/bin/lc
check "mode 755" test "$(stat -c %a /tmp/pfx/bin/lc)" = 755
check "installed binary works" test "$(printf "x y\n" | /tmp/pfx/bin/lc -w)" = 2
check "lc on PATH" test "$(command -v lc)" = /usr/local/bin/lc
check "default install works" test "$(printf "1\n2\n" | lc)" = 2
finish
