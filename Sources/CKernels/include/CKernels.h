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
void dst_matmul_bf16(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *x, size_t x_stride, int n, float *y, size_t y_stride);

// Q5_0, Q5_1 and the K-quants read int8 activations (quantized_matmul_k.c): per 32 values,
// xq = round(x / xd) with xd = max|x| / 127, and xs the sum of xq·xd over each 16 values.
// xq [n × cols], xd [n × cols/32], xs [n × cols/16]; cols a multiple of 32 (of 256 for the
// K types). Results equal W · (xq·xd) in float up to summation order.
void dst_quantize_activations_q8(const float *x, size_t x_stride, int n, int cols,
                                 int8_t *xq, float *xd, float *xs);
#define DST_INT8_MATMUL(NAME)                                                                 \
    void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,       \
              const int8_t *xq, const float *xd, const float *xs, int n, float *y, size_t y_stride);
DST_INT8_MATMUL(dst_matmul_q5_0)
DST_INT8_MATMUL(dst_matmul_q5_1)
DST_INT8_MATMUL(dst_matmul_q2_k)
DST_INT8_MATMUL(dst_matmul_q3_k)
DST_INT8_MATMUL(dst_matmul_q4_k)
DST_INT8_MATMUL(dst_matmul_q5_k)
DST_INT8_MATMUL(dst_matmul_q6_k)

// 1 when the kernels above were compiled for AVX2+FMA, 0 for the portable scalar build.
int dst_kernels_vectorised(void);

#endif
