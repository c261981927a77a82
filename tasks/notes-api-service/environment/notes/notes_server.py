"""A tiny JSON notes service. Usage: python3 notes_server.py CONFIG.json

Config keys: "port" (int), "data_file" (path of a JSON list of notes), "token" (required as the X-Token header
for POST). GET /notes lists notes; POST /notes with {"text": ...} adds one.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG = json.load(open(sys.argv[1]))


def load():
    try:
        return json.load(open(CONFIG["data_file"]))
    except FileNotFoundError:
        return []


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/notes":
            return self.reply(200, load())
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/notes":
            return self.reply(404, {"error": "not found"})
        if self.headers.get("X-Token") != CONFIG["token"]:
            return self.reply(401, {"error": "bad token"})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        notes = load()
        notes.append({"id": len(notes) + 1, "text": body.get("text", "")})
        json.dump(notes, open(CONFIG["data_file"], "w"))
        self.reply(201, notes[-1])

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", CONFIG["port"]), Handler).serve_forever()
