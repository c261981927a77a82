#!/bin/bash
cd /app/wc
cat > count.h <<'C'
#ifndef COUNT_H
#define COUNT_H
#include <stdio.h>
long count_lines(FILE *in);
long count_words(FILE *in);
#endif
C
cat >> count.c <<'C'

#include <ctype.h>

long count_words(FILE *in) {
    long words = 0;
    int c, in_word = 0;
    while ((c = fgetc(in)) != EOF) {
        if (isspace(c)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    return words;
}
C
cat > lc.c <<'C'
#include <stdio.h>
#include <string.h>
#include "count.h"

int main(int argc, char **argv) {
    int words = 0;
    int arg = 1;
    if (argc > 1 && strcmp(argv[1], "-w") == 0) {
        words = 1;
        arg = 2;
    }
    FILE *in = argc > arg ? fopen(argv[arg], "r") : stdin;
    if (!in) {
        perror(argv[arg]);
        return 1;
    }
    printf("%ld\n", words ? count_words(in) : count_lines(in));
    return 0;
}
C
make
