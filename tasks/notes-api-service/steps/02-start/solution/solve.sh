#!/bin/bash
nohup python3 /opt/notes/notes_server.py /etc/notes/config.json > /var/log/notes.log 2>&1 &
for i in $(seq 1 50); do python3 -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:9090/notes\", timeout=1)" 2>/dev/null && break; sleep 0.1; done
python3 -c "
import json, urllib.request
req = urllib.request.Request(\"http://127.0.0.1:9090/notes\", data=json.dumps({\"text\": \"first note\"}).encode(), headers={\"X-Token\": \"s3cret\", \"Content-Type\": \"application/json\"})
print(urllib.request.urlopen(req, timeout=5).read().decode())
"
