#!/bin/bash
cd /app/wc
sed -i "/int unused;/d" lc.c
make
