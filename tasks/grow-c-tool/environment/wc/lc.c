#include <stdio.h>
#include "count.h"

int main(int argc, char **argv) {
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    int unused;
    printf("%ld\n", count_lines(in));
    return 0;
}
