#!/bin/bash
python3 - <<'PY'
path = "/opt/notes/notes_server.py"
src = open(path).read()
src = src.replace("""        if self.path == "/notes":
            return self.reply(200, load())
""", """        if self.path == "/notes":
            return self.reply(200, load())
        if self.path == "/health":
            return self.reply(200, {"status": "ok", "notes": len(load())})
""")
open(path, "w").write(src)
PY
# The [n] keeps pgrep from matching its own command line.
pid=$(pgrep -f "[n]otes_server.py /etc/notes/config.json")
kill $pid
while kill -0 $pid 2>/dev/null; do sleep 0.1; done
nohup python3 /opt/notes/notes_server.py /etc/notes/config.json > /var/log/notes.log 2>&1 &
for i in $(seq 1 50); do python3 -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:9090/health\", timeout=1)" 2>/dev/null && break; sleep 0.1; done
