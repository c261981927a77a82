"""A tiny static file server configured by an INI file: python3 serve.py /path/to/site.ini"""
import configparser
import functools
import http.server
import sys

config = configparser.ConfigParser()
if not config.read(sys.argv[1]):
    sys.exit(f"cannot read config {sys.argv[1]}")
section = config["server"]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=section["root"])
server = http.server.ThreadingHTTPServer((section.get("host", "127.0.0.1"), section.getint("port")), handler)
print(f"serving {section['root']} on port {section.getint('port')}", flush=True)
server.serve_forever()
