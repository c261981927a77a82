#!/bin/bash
mkdir -p /etc/notes /var/lib/notes
echo '{"port": 9090, "data_file": "/var/lib/notes/notes.json", "token": "s3cret"}' > /etc/notes/config.json
echo "[]" > /var/lib/notes/notes.json
