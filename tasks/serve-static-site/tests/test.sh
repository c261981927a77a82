#!/bin/bash
mkdir -p /logs/verifier
python3 - <<'P'
import configparser, urllib.request
ok = True
cfg = configparser.ConfigParser()
if not cfg.read('/etc/site/site.ini') or cfg.get('server', 'root', fallback='') != '/srv/www' or cfg.get('server', 'port', fallback='') != '8080':
    print('config /etc/site/site.ini is missing or wrong'); ok = False
try:
    body = urllib.request.urlopen('http://127.0.0.1:8080/', timeout=5).read().decode()
    if '<h1>hbench ok</h1>' not in body:
        print('page does not contain the heading'); ok = False
except Exception as e:
    print('server not answering:', e); ok = False
open('/logs/verifier/reward.txt', 'w').write('1\n' if ok else '0\n')
P
