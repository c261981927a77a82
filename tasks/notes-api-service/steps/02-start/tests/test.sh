#!/bin/bash
. /tests/lib.sh
check "service answers and has the note" python3 -c "
import json, urllib.request
notes = json.load(urllib.request.urlopen(\"http://127.0.0.1:9090/notes\", timeout=5))
assert [n[\"text\"] for n in notes] == [\"first note\"], notes
"
finish
