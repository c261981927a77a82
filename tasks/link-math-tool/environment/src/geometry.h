#ifndef GEOMETRY_H
#define GEOMETRY_H
double distance(double x, double y);
#endif
