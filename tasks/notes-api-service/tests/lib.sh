# Shared verifier helpers (task-level tests/, uploaded for every step).
mkdir -p /logs/verifier
HB_OK=1
check() { # description, command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "ok   $what"; else echo "FAIL $what"; HB_OK=0; fi
}
finish() { echo "$HB_OK" > /logs/verifier/reward.txt; }
