// Quantised matrix × float activations. One row of W is unpacked block by block into
// float registers once and used against up to TILE activation vectors, so batched decoding
// pays the unpacking cost once per TILE sequences (see DESIGN.md, "fast by construction").
#include "CKernels.h"
#include <string.h>

static inline float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0) {
        if (mant == 0) { bits = sign; }
        else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400) == 0) { mant <<= 1; exp--; }
            bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f; memcpy(&f, &bits, 4); return f;
}

static inline uint16_t load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define TILE 8

int dst_kernels_vectorised(void) { return 1; }

static inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// Widen 16 unsigned nibble values (one per byte) to two pairs of 8 floats.
static inline void widen16_u8(__m128i b, __m256 *a, __m256 *c) {
    *a = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
    *c = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8)));
}

// Each unpack writes the 32 dequantised weights of one block into w[0..3] (elements 0-7, ...).
static inline void unpack_q4_0(const uint8_t *blk, __m256 w[4]) {
    const __m256 d = _mm256_set1_ps(f16_to_f32(load_u16(blk)));
    const __m256 eight = _mm256_set1_ps(8.0f);
    __m128i q = _mm_loadu_si128((const __m128i *)(blk + 2));
    const __m128i mask = _mm_set1_epi8(0x0F);
    widen16_u8(_mm_and_si128(q, mask), &w[0], &w[1]);
    widen16_u8(_mm_and_si128(_mm_srli_epi16(q, 4), mask), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_mul_ps(_mm256_sub_ps(w[i], eight), d);
}

static inline void unpack_q4_1(const uint8_t *blk, __m256 w[4]) {
    const __m256 d = _mm256_set1_ps(f16_to_f32(load_u16(blk)));
    const __m256 m = _mm256_set1_ps(f16_to_f32(load_u16(blk + 2)));
    __m128i q = _mm_loadu_si128((const __m128i *)(blk + 4));
    const __m128i mask = _mm_set1_epi8(0x0F);
    widen16_u8(_mm_and_si128(q, mask), &w[0], &w[1]);
    widen16_u8(_mm_and_si128(_mm_srli_epi16(q, 4), mask), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_fmadd_ps(w[i], d, m);
}

static inline void unpack_q8_0(const uint8_t *blk, __m256 w[4]) {
    const __m256 d = _mm256_set1_ps(f16_to_f32(load_u16(blk)));
    __m128i lo = _mm_loadu_si128((const __m128i *)(blk + 2));
    __m128i hi = _mm_loadu_si128((const __m128i *)(blk + 18));
    w[0] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo));
    w[1] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
    w[2] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi));
    w[3] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
    for (int i = 0; i < 4; i++) w[i] = _mm256_mul_ps(w[i], d);
}

// F16 rows are treated as blocks of 32 halves (64 bytes) so they share the tiled loop.
static inline void unpack_f16(const uint8_t *blk, __m256 w[4]) {
    for (int i = 0; i < 4; i++)
        w[i] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + 16 * i)));
}

// Tiles of TILE activation vectors are the outer loop and rows the inner one, so the rows a
// thread owns stay in L2 while every tile passes over them (a 512-token prefill would
// otherwise stream all activations from memory once per row).
#define DEFINE_MATMUL(NAME, UNPACK, BLOCK_BYTES)                                              \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const float *x, size_t x_stride, int n, float *y, size_t y_stride) {                \
    const int blocks = cols / 32;                                                             \
    int v = 0;                                                                                \
    for (; v + TILE <= n; v += TILE) {                                                        \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 acc[TILE];                                                                 \
            for (int t = 0; t < TILE; t++) acc[t] = _mm256_setzero_ps();                      \
            for (int b = 0; b < blocks; b++) {                                                \
                __m256 q[4];                                                                  \
                UNPACK(row + (size_t)b * BLOCK_BYTES, q);                                     \
                for (int t = 0; t < TILE; t++) {                                              \
                    const float *xv = x + (size_t)(v + t) * x_stride + b * 32;                \
                    acc[t] = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xv), acc[t]);              \
                    acc[t] = _mm256_fmadd_ps(q[1], _mm256_loadu_ps(xv + 8), acc[t]);          \
                    acc[t] = _mm256_fmadd_ps(q[2], _mm256_loadu_ps(xv + 16), acc[t]);         \
                    acc[t] = _mm256_fmadd_ps(q[3], _mm256_loadu_ps(xv + 24), acc[t]);         \
                }                                                                             \
            }                                                                                 \
            for (int t = 0; t < TILE; t++) y[(size_t)(v + t) * y_stride + r] = hsum(acc[t]);  \
        }                                                                                     \
    }                                                                                         \
    for (; v < n; v++) {                                                                      \
        const float *xv = x + (size_t)v * x_stride;                                           \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                       \
            for (int b = 0; b < blocks; b++) {                                                \
                __m256 q[4];                                                                  \
                UNPACK(row + (size_t)b * BLOCK_BYTES, q);                                     \
                a0 = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xv + b * 32), a0);                 \
                a1 = _mm256_fmadd_ps(q[1], _mm256_loadu_ps(xv + b * 32 + 8), a1);             \
                a2 = _mm256_fmadd_ps(q[2], _mm256_loadu_ps(xv + b * 32 + 16), a2);            \
                a3 = _mm256_fmadd_ps(q[3], _mm256_loadu_ps(xv + b * 32 + 24), a3);            \
            }                                                                                 \
            y[(size_t)v * y_stride + r] = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1),           \
                                                             _mm256_add_ps(a2, a3)));         \
        }                                                                                     \
    }                                                                                         \
}

DEFINE_MATMUL(dst_matmul_q4_0, unpack_q4_0, 18)
DEFINE_MATMUL(dst_matmul_q4_1, unpack_q4_1, 20)
DEFINE_MATMUL(dst_matmul_q8_0, unpack_q8_0, 34)
DEFINE_MATMUL(dst_matmul_f16, unpack_f16, 64)

#else  // portable scalar build (DISTILLERY_PORTABLE=1 or a non-x86 machine)

int dst_kernels_vectorised(void) { return 0; }

static inline void unpack_q4_0(const uint8_t *blk, float w[32]) {
    float d = f16_to_f32(load_u16(blk));
    for (int i = 0; i < 16; i++) {
        w[i] = ((float)(blk[2 + i] & 0x0F) - 8.0f) * d;
        w[i + 16] = ((float)(blk[2 + i] >> 4) - 8.0f) * d;
    }
}
static inline void unpack_q4_1(const uint8_t *blk, float w[32]) {
    float d = f16_to_f32(load_u16(blk)), m = f16_to_f32(load_u16(blk + 2));
    for (int i = 0; i < 16; i++) {
        w[i] = (float)(blk[4 + i] & 0x0F) * d + m;
        w[i + 16] = (float)(blk[4 + i] >> 4) * d + m;
    }
}
static inline void unpack_q8_0(const uint8_t *blk, float w[32]) {
    float d = f16_to_f32(load_u16(blk));
    for (int i = 0; i < 32; i++) w[i] = (float)(int8_t)blk[2 + i] * d;
}
static inline void unpack_f16(const uint8_t *blk, float w[32]) {
    for (int i = 0; i < 32; i++) w[i] = f16_to_f32(load_u16(blk + 2 * i));
}

#define DEFINE_MATMUL(NAME, UNPACK, BLOCK_BYTES)                                              \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const float *x, size_t x_stride, int n, float *y, size_t y_stride) {                \
    const int blocks = cols / 32;                                                             \
    float q[32];                                                                              \
    for (int r = row_begin; r < row_end; r++)                                                 \
        for (int v = 0; v < n; v++) {                                                         \
            const float *xv = x + (size_t)v * x_stride;                                       \
            float acc = 0;                                                                    \
            for (int b = 0; b < blocks; b++) {                                                \
                UNPACK(w + (size_t)r * row_bytes + (size_t)b * BLOCK_BYTES, q);               \
                for (int i = 0; i < 32; i++) acc += q[i] * xv[b * 32 + i];                    \
            }                                                                                 \
            y[(size_t)v * y_stride + r] = acc;                                                \
        }                                                                                     \
}

DEFINE_MATMUL(dst_matmul_q4_0, unpack_q4_0, 18)
DEFINE_MATMUL(dst_matmul_q4_1, unpack_q4_1, 20)
DEFINE_MATMUL(dst_matmul_q8_0, unpack_q8_0, 34)
DEFINE_MATMUL(dst_matmul_f16, unpack_f16, 64)
#endif
