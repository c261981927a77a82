#include "count.h"

long count_lines(FILE *in) {
    long lines = 0;
    int c;
    while ((c = fgetc(in)) != EOF)
        if (c == '\n')
            lines++;
    return lines;
}
