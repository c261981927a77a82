#include <math.h>
#include "geometry.h"

double distance(double x, double y) {
    return sqrt(x * x + y * y);
}
