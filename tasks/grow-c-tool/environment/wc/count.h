#ifndef COUNT_H
#define COUNT_H
#include <stdio.h>
long count_lines(FILE *in);
#endif
