#!/bin/bash
mkdir -p /app/project && cd /app/project && git init -q -b main
echo "# Project" > README.md
git add README.md && git commit -qm "Initial commit"
