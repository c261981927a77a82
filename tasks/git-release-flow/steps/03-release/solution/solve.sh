#!/bin/bash
cd /app/project
git checkout -q main
git merge -q --no-ff -m "Merge feature/greeting" feature/greeting
git tag -a v1.0 -m "Release 1.0"
