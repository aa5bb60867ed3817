#ifndef DISTILLERY_CKERNELS_H
#define DISTILLERY_CKERNELS_H
// Hot loops that need instructions Swift's SIMD types cannot express (nibble unpacking,
// f16 conversion, integer widening). Model logic stays in Swift; these only compute
//   y[v * y_stride + r] = dot(row r of W, x[v * x_stride ...])  for r in [row_begin, row_end)
// with W stored as ggml blocks (GGUF.md §5), rows of `cols` elements, `row_bytes` apart.
// Activations stay Float32 and weights are dequantised in registers, so results equal a
// float32 reference up to summation order.
#include <stddef.h>
#include <stdint.h>
#include "ThreadPool.h"
#include "Checksum.h"

// Q4_0 and Q4_1 read activations prepared once per matmul by dst_prepare_q4_activations:
// x_permuted [n × cols] (contiguous rows) and block_sums [n × cols/32].
void dst_prepare_q4_activations(const float *x, int n, int cols, float *x_permuted, float *block_sums);
void dst_matmul_q4_0(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *x_permuted, const float *block_sums, int n, float *y, size_t y_stride);
void dst_matmul_q4_1(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *x_permuted, const float *block_sums, int n, float *y, size_t y_stride);
void dst_matmul_q8_0(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *x, size_t x_stride, int n, float *y, size_t y_stride);
void dst_matmul_f16(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                    const float *x, size_t x_stride, int n, float *y, size_t y_stride);

// 1 when the kernels above were compiled for AVX2+FMA, 0 for the portable scalar build.
int dst_kernels_vectorised(void);

#endif
