#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: hypot X Y\n");
        return 2;
    }
    double x = atof(argv[1]), y = atof(argv[2]);
    printf("%.3f\n", distance(x, y));
    return 0;
}
