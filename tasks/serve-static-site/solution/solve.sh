#!/bin/bash
mkdir -p /srv/www /etc/site
echo '<!doctype html><html><body><h1>hbench ok</h1></body></html>' > /srv/www/index.html
printf '[server]\nroot = /srv/www\nport = 8080\nhost = 127.0.0.1\n' > /etc/site/site.ini
nohup python3 /opt/site/serve.py /etc/site/site.ini > /var/log/site.log 2>&1 &
for i in $(seq 1 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/', timeout=1)" 2>/dev/null && break; sleep 0.1; done
