#!/bin/bash
cd /app/repo
bad=$(git log --format='%H %s' | awk '$2=="Tune" {print $1}')
git revert --no-edit "$bad"
