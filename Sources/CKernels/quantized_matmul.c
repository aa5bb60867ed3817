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

int dst_kernels_vectorised(void) { return 1; }

// One f16 scale per block: F16C converts it in one instruction (vcvtph2ps).
static inline float scale_f16(const uint8_t *p) { return _cvtsh_ss(load_u16(p)); }

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

static inline __m256 block_sum(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    return _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
}

// ---- Q4_0 / Q4_1: no shuffles -------------------------------------------------------
// The shuffle port limits a nibble unpack built on vpmovzx. Instead 8 quant bytes are
// broadcast (a load, no shuffle) and each 32-bit lane shifts its own byte down: lane j of
// the low half gets byte PERM[j], so elements come out in the order PERM within each group
// of 8, and the activations are permuted the same way once per matmul
// (dst_prepare_q4_activations). The block's scale multiplies Σ q·x once, and the offset
// (−8·d for Q4_0, m for Q4_1) multiplies the block sum of x, so no per-weight scaling.
static const int Q4_PERM[8] = {0, 4, 1, 5, 2, 6, 3, 7};

static inline void q4_unpack(const uint8_t *qs, __m256 q[4]) {
    const __m256i shift_lo = _mm256_setr_epi32(0, 0, 8, 8, 16, 16, 24, 24);
    const __m256i shift_hi = _mm256_setr_epi32(4, 4, 12, 12, 20, 20, 28, 28);
    const __m256i mask = _mm256_set1_epi32(0x0F);
    long long lo, hi;
    memcpy(&lo, qs, 8);
    memcpy(&hi, qs + 8, 8);
    __m256i b0 = _mm256_set1_epi64x(lo);  // bytes 0-7
    __m256i b1 = _mm256_set1_epi64x(hi);  // bytes 8-15
    q[0] = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srlv_epi32(b0, shift_lo), mask));  // elements 0-7
    q[1] = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srlv_epi32(b1, shift_lo), mask));  // 8-15
    q[2] = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srlv_epi32(b0, shift_hi), mask));  // 16-23
    q[3] = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srlv_epi32(b1, shift_hi), mask));  // 24-31
}

// Σ q·x over one block of 32, with two independent chains.
static inline __m256 dot32(const __m256 q[4], const float *x) {
    __m256 s0 = _mm256_mul_ps(q[0], _mm256_loadu_ps(x));
    __m256 s1 = _mm256_mul_ps(q[1], _mm256_loadu_ps(x + 8));
    s0 = _mm256_fmadd_ps(q[2], _mm256_loadu_ps(x + 16), s0);
    s1 = _mm256_fmadd_ps(q[3], _mm256_loadu_ps(x + 24), s1);
    return _mm256_add_ps(s0, s1);
}

// Eight vectors at once: acc[t] += Σ q·x_t for one block, vectors `stride` floats apart.
#define DOT1(acc, q, xv)                                                                      \
    acc = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xv), acc);                                    \
    acc = _mm256_fmadd_ps(q[1], _mm256_loadu_ps((xv) + 8), acc);                              \
    acc = _mm256_fmadd_ps(q[2], _mm256_loadu_ps((xv) + 16), acc);                             \
    acc = _mm256_fmadd_ps(q[3], _mm256_loadu_ps((xv) + 24), acc);
#define TILE8(acc, q, xv, stride)                                                             \
    DOT1(acc[0], q, xv) DOT1(acc[1], q, (xv) + (stride)) DOT1(acc[2], q, (xv) + 2 * (stride)) \
    DOT1(acc[3], q, (xv) + 3 * (stride)) DOT1(acc[4], q, (xv) + 4 * (stride))                 \
    DOT1(acc[5], q, (xv) + 5 * (stride)) DOT1(acc[6], q, (xv) + 6 * (stride))                 \
    DOT1(acc[7], q, (xv) + 7 * (stride))
#define ZERO8(acc)                                                                            \
    acc[0] = _mm256_setzero_ps(); acc[1] = acc[0]; acc[2] = acc[0]; acc[3] = acc[0];          \
    acc[4] = acc[0]; acc[5] = acc[0]; acc[6] = acc[0]; acc[7] = acc[0];
#define STORE8(acc, y, v, y_stride, r)                                                        \
    for (int t = 0; t < 8; t++) y[(size_t)((v) + t) * (y_stride) + (r)] = hsum(acc[t]);

#define DOT2(acc, acc2, q, xv)                                                                \
    acc = _mm256_fmadd_ps(q[0], _mm256_loadu_ps(xv), acc);                                    \
    acc2 = _mm256_fmadd_ps(q[1], _mm256_loadu_ps((xv) + 8), acc2);                            \
    acc = _mm256_fmadd_ps(q[2], _mm256_loadu_ps((xv) + 16), acc);                             \
    acc2 = _mm256_fmadd_ps(q[3], _mm256_loadu_ps((xv) + 24), acc2);

void dst_prepare_q4_activations(const float *x, int n, int cols, float *x_permuted, float *block_sums) {
    const int blocks = cols / 32;
    for (int v = 0; v < n; v++) {
        const float *src = x + (size_t)v * cols;
        float *dst = x_permuted + (size_t)v * cols;
        for (int b = 0; b < blocks; b++) {
            float sum = 0;
            for (int g = 0; g < 4; g++)
                for (int j = 0; j < 8; j++) dst[b * 32 + g * 8 + j] = src[b * 32 + g * 8 + Q4_PERM[j]];
            for (int i = 0; i < 32; i++) sum += src[b * 32 + i];
            block_sums[(size_t)v * blocks + b] = sum;
        }
    }
}

// OFFSET(blk) is the per-block constant c in y = d·q + c.
#define DEFINE_Q4_MATMUL(NAME, BLOCK_BYTES, QS, OFFSET)                                      \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const float *xp, const float *block_sums, int n, float *y, size_t y_stride) {       \
    const int blocks = cols / 32;                                                             \
    int v = 0;                                                                                \
    /* Batches: dequantise the block once (w = d·q + c) and reuse it for eight vectors, */    \
    /* one accumulator each: eight independent FMA chains keep both FMA ports busy. */        \
    for (; v + 8 <= n; v += 8) {                                                              \
        const float *x0 = xp + (size_t)v * cols;                                              \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 acc[8];                                                                    \
            ZERO8(acc)                                                                        \
            for (int b = 0; b < blocks; b++) {                                                \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES;                           \
                const __m256 d = _mm256_set1_ps(scale_f16(blk));                              \
                const __m256 c = _mm256_set1_ps(OFFSET(blk));                                 \
                __m256 q[4];                                                                  \
                q4_unpack(blk + QS, q);                                                       \
                q[0] = _mm256_fmadd_ps(q[0], d, c); q[1] = _mm256_fmadd_ps(q[1], d, c);       \
                q[2] = _mm256_fmadd_ps(q[2], d, c); q[3] = _mm256_fmadd_ps(q[3], d, c);       \
                TILE8(acc, q, x0 + b * 32, cols)                                              \
            }                                                                                 \
            STORE8(acc, y, v, y_stride, r)                                                    \
        }                                                                                     \
    }                                                                                         \
    for (; v < n; v++) {                                                                      \
        const float *x0 = xp + (size_t)v * cols;                                              \
        const float *s0 = block_sums + (size_t)v * blocks;                                    \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 a0 = _mm256_setzero_ps(), a1 = a0;                                         \
            float c0 = 0, c1 = 0;                                                             \
            int b = 0;                                                                        \
            for (; b + 2 <= blocks; b += 2) {                                                 \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES, *nxt = blk + BLOCK_BYTES; \
                __m256 q[4], p[4];                                                            \
                q4_unpack(blk + QS, q);                                                       \
                q4_unpack(nxt + QS, p);                                                       \
                a0 = _mm256_fmadd_ps(dot32(q, x0 + b * 32), _mm256_set1_ps(scale_f16(blk)), a0); \
                a1 = _mm256_fmadd_ps(dot32(p, x0 + b * 32 + 32), _mm256_set1_ps(scale_f16(nxt)), a1); \
                c0 += OFFSET(blk) * s0[b];                                                    \
                c1 += OFFSET(nxt) * s0[b + 1];                                                \
            }                                                                                 \
            for (; b < blocks; b++) {                                                         \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES;                           \
                __m256 q[4];                                                                  \
                q4_unpack(blk + QS, q);                                                       \
                a0 = _mm256_fmadd_ps(dot32(q, x0 + b * 32), _mm256_set1_ps(scale_f16(blk)), a0); \
                c0 += OFFSET(blk) * s0[b];                                                    \
            }                                                                                 \
            y[(size_t)v * y_stride + r] = hsum(_mm256_add_ps(a0, a1)) + c0 + c1;              \
        }                                                                                     \
    }                                                                                         \
}

#define Q4_0_OFFSET(blk) (-8.0f * scale_f16(blk))
#define Q4_1_OFFSET(blk) (scale_f16((blk) + 2))
DEFINE_Q4_MATMUL(dst_matmul_q4_0, 18, 2, Q4_0_OFFSET)
DEFINE_Q4_MATMUL(dst_matmul_q4_1, 20, 4, Q4_1_OFFSET)

// ---- Q8_0, F16 and BF16: widening straight from memory ------------------------------
static inline __m256 q8_dot(const uint8_t *qs, const float *x) {
    __m256 q0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)qs)));
    __m256 q1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 8))));
    __m256 q2 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 16))));
    __m256 q3 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 24))));
    __m256 s0 = _mm256_mul_ps(q0, _mm256_loadu_ps(x));
    __m256 s1 = _mm256_mul_ps(q1, _mm256_loadu_ps(x + 8));
    s0 = _mm256_fmadd_ps(q2, _mm256_loadu_ps(x + 16), s0);
    s1 = _mm256_fmadd_ps(q3, _mm256_loadu_ps(x + 24), s1);
    return _mm256_add_ps(s0, s1);
}

static inline __m256 f16_dot(const uint8_t *h, const float *x) {
    __m256 s0 = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h)), _mm256_loadu_ps(x));
    __m256 s1 = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + 16))), _mm256_loadu_ps(x + 8));
    s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + 32))), _mm256_loadu_ps(x + 16), s0);
    s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + 48))), _mm256_loadu_ps(x + 24), s1);
    return _mm256_add_ps(s0, s1);
}

static inline void q8_unpack(const uint8_t *blk, __m256 q[4]) {
    const __m256 d = _mm256_set1_ps(scale_f16(blk));
    for (int i = 0; i < 4; i++)
        q[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 2 + 8 * i)))), d);
}

static inline void f16_unpack(const uint8_t *blk, __m256 q[4]) {
    for (int i = 0; i < 4; i++) q[i] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + 16 * i)));
}

// BF16 is the top half of an f32 (GGUF.md §4.2): widening is exact, a zero-extension and a
// shift, with no conversion instruction (F16 needs F16C's vcvtph2ps).
static inline __m256 bf16_load8(const uint8_t *h) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)h)), 16));
}

static inline __m256 bf16_dot(const uint8_t *h, const float *x) {
    __m256 s0 = _mm256_mul_ps(bf16_load8(h), _mm256_loadu_ps(x));
    __m256 s1 = _mm256_mul_ps(bf16_load8(h + 16), _mm256_loadu_ps(x + 8));
    s0 = _mm256_fmadd_ps(bf16_load8(h + 32), _mm256_loadu_ps(x + 16), s0);
    s1 = _mm256_fmadd_ps(bf16_load8(h + 48), _mm256_loadu_ps(x + 24), s1);
    return _mm256_add_ps(s0, s1);
}

static inline void bf16_unpack(const uint8_t *blk, __m256 q[4]) {
    for (int i = 0; i < 4; i++) q[i] = bf16_load8(blk + 16 * i);
}

#define Q8_0_SCALE(blk) _mm256_set1_ps(scale_f16(blk))
#define UNIT_SCALE(blk) _mm256_set1_ps(1.0f)  // F16 and BF16 have no block scale
#define DEFINE_WIDE_MATMUL(NAME, BLOCK_BYTES, QS, DOT, SCALE, UNPACK)                        \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const float *x, size_t x_stride, int n, float *y, size_t y_stride) {                \
    const int blocks = cols / 32;                                                             \
    int v = 0;                                                                                \
    for (; v + 8 <= n; v += 8) {                                                              \
        const float *x0 = x + (size_t)v * x_stride;                                           \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 acc[8];                                                                    \
            ZERO8(acc)                                                                        \
            for (int b = 0; b < blocks; b++) {                                                \
                __m256 q[4];                                                                  \
                UNPACK(row + (size_t)b * BLOCK_BYTES, q);                                     \
                TILE8(acc, q, x0 + b * 32, x_stride)                                          \
            }                                                                                 \
            STORE8(acc, y, v, y_stride, r)                                                    \
        }                                                                                     \
    }                                                                                         \
    for (; v + 2 <= n; v += 2) {                                                              \
        const float *x0 = x + (size_t)v * x_stride, *x1 = x0 + x_stride;                      \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 a0 = _mm256_setzero_ps(), a1 = a0;                                         \
            for (int b = 0; b < blocks; b++) {                                                \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES;                           \
                const __m256 d = SCALE(blk);                                                  \
                a0 = _mm256_fmadd_ps(DOT(blk + QS, x0 + b * 32), d, a0);                      \
                a1 = _mm256_fmadd_ps(DOT(blk + QS, x1 + b * 32), d, a1);                      \
            }                                                                                 \
            y[(size_t)v * y_stride + r] = hsum(a0);                                           \
            y[(size_t)(v + 1) * y_stride + r] = hsum(a1);                                     \
        }                                                                                     \
    }                                                                                         \
    for (; v < n; v++) {                                                                      \
        const float *x0 = x + (size_t)v * x_stride;                                           \
        for (int r = row_begin; r < row_end; r++) {                                           \
            const uint8_t *row = w + (size_t)r * row_bytes;                                   \
            __m256 a0 = _mm256_setzero_ps(), a1 = a0;                                         \
            int b = 0;                                                                        \
            for (; b + 2 <= blocks; b += 2) {                                                 \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES, *nxt = blk + BLOCK_BYTES; \
                a0 = _mm256_fmadd_ps(DOT(blk + QS, x0 + b * 32), SCALE(blk), a0);             \
                a1 = _mm256_fmadd_ps(DOT(nxt + QS, x0 + b * 32 + 32), SCALE(nxt), a1);        \
            }                                                                                 \
            for (; b < blocks; b++) {                                                         \
                const uint8_t *blk = row + (size_t)b * BLOCK_BYTES;                           \
                a0 = _mm256_fmadd_ps(DOT(blk + QS, x0 + b * 32), SCALE(blk), a0);             \
            }                                                                                 \
            y[(size_t)v * y_stride + r] = hsum(_mm256_add_ps(a0, a1));                        \
        }                                                                                     \
    }                                                                                         \
}

DEFINE_WIDE_MATMUL(dst_matmul_q8_0, 34, 2, q8_dot, Q8_0_SCALE, q8_unpack)
DEFINE_WIDE_MATMUL(dst_matmul_f16, 64, 0, f16_dot, UNIT_SCALE, f16_unpack)
DEFINE_WIDE_MATMUL(dst_matmul_bf16, 64, 0, bf16_dot, UNIT_SCALE, bf16_unpack)

#else  // portable scalar build (DISTILLERY_PORTABLE=1 or a non-x86 machine)

int dst_kernels_vectorised(void) { return 0; }

// No permutation here: the scalar Q4 kernels read activations in their natural order.
void dst_prepare_q4_activations(const float *x, int n, int cols, float *x_permuted, float *block_sums) {
    const int blocks = cols / 32;
    memcpy(x_permuted, x, sizeof(float) * (size_t)n * cols);
    for (int v = 0; v < n; v++)
        for (int b = 0; b < blocks; b++) {
            float sum = 0;
            for (int i = 0; i < 32; i++) sum += x[(size_t)v * cols + b * 32 + i];
            block_sums[(size_t)v * blocks + b] = sum;
        }
}

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
static inline void unpack_bf16(const uint8_t *blk, float w[32]) {
    for (int i = 0; i < 32; i++) {
        uint32_t bits = (uint32_t)load_u16(blk + 2 * i) << 16;
        memcpy(&w[i], &bits, 4);
    }
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

DEFINE_MATMUL(scalar_matmul_q4_0, unpack_q4_0, 18)
DEFINE_MATMUL(scalar_matmul_q4_1, unpack_q4_1, 20)
DEFINE_MATMUL(dst_matmul_q8_0, unpack_q8_0, 34)
DEFINE_MATMUL(dst_matmul_f16, unpack_f16, 64)
DEFINE_MATMUL(dst_matmul_bf16, unpack_bf16, 64)

void dst_matmul_q4_0(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *xp, const float *block_sums, int n, float *y, size_t y_stride) {
    (void)block_sums;
    scalar_matmul_q4_0(w, row_bytes, row_begin, row_end, cols, xp, cols, n, y, y_stride);
}
void dst_matmul_q4_1(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,
                     const float *xp, const float *block_sums, int n, float *y, size_t y_stride) {
    (void)block_sums;
    scalar_matmul_q4_1(w, row_bytes, row_begin, row_end, cols, xp, cols, n, y, y_stride);
}
#endif
