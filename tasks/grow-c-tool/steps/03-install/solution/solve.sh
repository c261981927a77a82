#!/bin/bash
cd /app/wc
cat >> Makefile <<'MK'

PREFIX ?= /usr/local

install: lc
	install -d $(PREFIX)/bin
	install -m 755 lc $(PREFIX)/bin/lc
MK
make install
