#ifndef DISTILLERY_CKERNELS_H
#define DISTILLERY_CKERNELS_H
#include <stddef.h>
#include <stdint.h>
#endif
