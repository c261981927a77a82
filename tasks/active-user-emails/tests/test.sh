#!/bin/bash
mkdir -p /logs/verifier
python3 - <<'P'
import json
users = json.load(open('/app/users.json'))['users']
want = sorted({u['email'].lower() for u in users if u['active'] is True})
try:
    got = open('/app/active_emails.txt').read().split('\n')
    if got and got[-1] == '':
        got = got[:-1]
except FileNotFoundError:
    got = None
ok = got == want
if not ok:
    print('want', want); print('got ', got)
open('/logs/verifier/reward.txt', 'w').write('1\n' if ok else '0\n')
P
