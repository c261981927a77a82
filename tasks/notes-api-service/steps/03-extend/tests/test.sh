#!/bin/bash
. /tests/lib.sh
check "health endpoint" python3 -c "
import json, urllib.request
r = urllib.request.urlopen(\"http://127.0.0.1:9090/health\", timeout=5)
assert r.status == 200
assert json.load(r) == {\"status\": \"ok\", \"notes\": 1}
"
check "notes endpoint still works" python3 -c "
import json, urllib.request
assert [n[\"text\"] for n in json.load(urllib.request.urlopen(\"http://127.0.0.1:9090/notes\", timeout=5))] == [\"first note\"]
"
finish
