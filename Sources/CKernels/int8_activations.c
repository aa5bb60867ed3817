// Activations as int8 for the Q5 and K-quant kernels (quantized_matmul_k.c explains why).
#include "CKernels.h"
#include <math.h>

// Per 32 elements: xq int8, xd its scale, xs[2] the sums of x' over each half. Plain C that
// the compiler vectorises; it runs once per matmul on n × cols values.
void dst_quantize_activations_q8(const float *x, size_t x_stride, int n, int cols,
                                 int8_t *xq, float *xd, float *xs) {
    const int groups = cols / 32;
    for (int v = 0; v < n; v++) {
        for (int g = 0; g < groups; g++) {
            const float *src = x + (size_t)v * x_stride + 32 * g;
            int8_t *dst = xq + (size_t)v * cols + 32 * g;
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(src[i]));
            const float d = amax / 127.0f, inv = amax > 0 ? 127.0f / amax : 0.0f;
            int sum[2] = {0, 0};
            for (int h = 0; h < 2; h++)
                for (int i = 16 * h; i < 16 * h + 16; i++) {
                    const int q = (int)nearbyintf(src[i] * inv);  // |q| ≤ 127 by construction
                    dst[i] = (int8_t)q;
                    sum[h] += q;
                }
            xd[(size_t)v * groups + g] = d;
            xs[(size_t)v * 2 * groups + 2 * g] = d * (float)sum[0];
            xs[(size_t)v * 2 * groups + 2 * g + 1] = d * (float)sum[1];
        }
    }
}
