#!/bin/bash
. /tests/lib.sh
check "config values" python3 -c "
import json
c = json.load(open(\"/etc/notes/config.json\"))
assert c[\"port\"] == 9090 and c[\"data_file\"] == \"/var/lib/notes/notes.json\" and c[\"token\"] == \"s3cret\", c
"
check "data file is an empty list" python3 -c "import json; assert json.load(open(\"/var/lib/notes/notes.json\")) == []"
finish
