// Q5_0, Q5_1 and the K-quants (GGUF.md §5.5–§5.11) × int8 activations.
//
// Why int8: these blocks hold small unsigned integers u with a few scales per 16 or 32
// elements, so Σ u·x over a group of 32 is one vpmaddubsw + vpmaddwd when x is int8 — about
// twice the work per cycle of widening u to floats. Activations are quantised once per
// matmul per 32 elements (dst_quantize_activations_q8): x' = xq · xd, xq = round(x/xd),
// xd = max|x|/127, so |x − x'| ≤ xd/2 per element. The kernels compute W · x' exactly up to
// float summation order; the error against float x is that rounding alone, bounded by
// Σ_groups (xd_g/2) · Σ|w| over the group (the tests check both).
//
// Every type is written as w = A·u + B per sub-block (u ≥ 0, A = d·scale, B the offset):
// the A·u part is the integer dot above, the B part multiplies xs, the sum of x' over each
// 16 elements, which the quantiser also stores. Signed quants (Q3_K, Q6_K) are stored
// shifted to u ≥ 0, the shift going into B.
#include "CKernels.h"
#include "kquant_scales.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#define ALWAYS static inline __attribute__((always_inline))

ALWAYS float k_f16(const uint8_t *p) { return _cvtsh_ss(k_load_u16(p)); }

ALWAYS float k_hsum(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    return _mm_cvtss_f32(_mm_add_ss(lo, _mm_movehdup_ps(lo)));
}

// Σ u·xq over 32 elements as eight int32 partial sums (u ≤ 63, |xq| ≤ 127: the int16 pair
// sums of vpmaddubsw stay below 2·63·127 and never saturate).
ALWAYS __m256 dot_u8(__m256i u, const int8_t *xq) {
    const __m256i p = _mm256_maddubs_epi16(u, _mm256_loadu_si256((const __m256i *)xq));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(p, _mm256_set1_epi16(1)));
}
// The same with an integer scale per 16 elements: `scales` holds s_lo in int16 lanes 0–7
// (elements 0–15) and s_hi in lanes 8–15 (elements 16–31), as vpmaddubsw lays them out.
ALWAYS __m256 dot_u8_scaled(__m256i u, const int8_t *xq, __m256i scales) {
    const __m256i p = _mm256_maddubs_epi16(u, _mm256_loadu_si256((const __m256i *)xq));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(p, scales));
}
// From int16 scales s_0…7 held in both 128-bit halves, the pair (s_k, s_k+1) for one group.
ALWAYS __m256i scale_pair(__m256i halves, int k) {
    const short lo = (short)((2 * k + 1) << 8 | 2 * k), hi = (short)((2 * k + 3) << 8 | (2 * k + 2));
    return _mm256_shuffle_epi8(halves, _mm256_set_m128i(_mm_set1_epi16(hi), _mm_set1_epi16(lo)));
}
// Sixteen per-16 scales (signed bytes) as int16, the first and second eight in both halves.
ALWAYS void scales16(__m128i bytes, __m256i *first, __m256i *second) {
    const __m256i s = _mm256_cvtepi8_epi16(bytes);
    *first = _mm256_permute2x128_si256(s, s, 0x00);
    *second = _mm256_permute2x128_si256(s, s, 0x11);
}
ALWAYS __m256 bytes8_ps(uint32_t lo, uint32_t hi) {  // eight unsigned bytes → floats
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, (int)hi, (int)lo)));
}
ALWAYS __m256 sbytes8_ps(__m128i b) {  // the low eight signed bytes → floats
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
}
// Per-32 sums from the per-16 sums of eight groups.
ALWAYS __m256 sums32(const float *xs) {
    const __m256 pairs = _mm256_hadd_ps(_mm256_loadu_ps(xs), _mm256_loadu_ps(xs + 8));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(pairs), 0xD8));
}
// Bit e of a 32-bit word → 16 in byte e (the fifth bit of Q5_0/Q5_1, §5.5).
ALWAYS __m256i bits_to_16s(uint32_t h) {
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)h),
        _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(16));
}

// One block against T activation rows. xq, xd, xs point at the block's first element,
// group and half-group of activation row 0; the next row is qst, dst, sst further.
// acc0/acc1 are two independent FMA chains per activation row.
#define BLOCK_ARGS const uint8_t *blk, int T, const int8_t *xq, const float *xd, const float *xs, \
                   size_t qst, size_t dst, size_t sst, __m256 *acc0, __m256 *acc1

// Q5_0 (§5.5): w = d·u − 16d.  Q5_1 (§5.6): w = d·u + m.
// Built to keep the shuffle port free: the 16 quant bytes are broadcast from memory to both
// halves and the halves take low and high nibbles by a blend, and d multiplies once per
// block after the per-row terms are summed.
ALWAYS __m256i q5_unpack(const uint8_t *qs, const uint8_t *qh) {
    const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    const __m256i nibbles = _mm256_blend_epi32(b, _mm256_srli_epi16(b, 4), 0xF0);
    return _mm256_or_si256(_mm256_and_si256(nibbles, _mm256_set1_epi8(0x0F)), bits_to_16s(k_load_u32(qh)));
}
ALWAYS __m256 sums2(const float *xs) {  // (xs[0], xs[1], 0, …): a block's two half sums
    return _mm256_zextps128_ps256(_mm_castpd_ps(_mm_load_sd((const double *)xs)));
}
ALWAYS void q5_0_block(BLOCK_ARGS) {
    (void)acc1;
    const __m256 d = _mm256_set1_ps(k_f16(blk)), minus16 = _mm256_set1_ps(-16.0f);
    const __m256i u = q5_unpack(blk + 6, blk + 2);
    for (int t = 0; t < T; t++) {
        const __m256 sum = _mm256_fmadd_ps(dot_u8(u, xq + t * qst), _mm256_broadcast_ss(xd + t * dst),
                                           _mm256_mul_ps(minus16, sums2(xs + t * sst)));
        acc0[t] = _mm256_fmadd_ps(sum, d, acc0[t]);
    }
}
ALWAYS void q5_1_block(BLOCK_ARGS) {
    const __m256 d = _mm256_set1_ps(k_f16(blk)), m = _mm256_set1_ps(k_f16(blk + 2));
    const __m256i u = q5_unpack(blk + 8, blk + 4);
    for (int t = 0; t < T; t++) {
        acc0[t] = _mm256_fmadd_ps(_mm256_mul_ps(dot_u8(u, xq + t * qst), _mm256_broadcast_ss(xd + t * dst)), d, acc0[t]);
        acc1[t] = _mm256_fmadd_ps(m, sums2(xs + t * sst), acc1[t]);
    }
}

// Q2_K (§5.7): w = (d·sc_k)·u − dmin·m_k per 16; group G = 4h + g is bits 2g of qs[32h…].
ALWAYS void q2_k_block(BLOCK_ARGS) {
    const float d = k_f16(blk + 80), dmin = k_f16(blk + 82);
    const __m128i packed = _mm_loadu_si128((const __m128i *)blk), low4 = _mm_set1_epi8(0x0F);
    __m256i sc[2];
    scales16(_mm_and_si128(packed, low4), &sc[0], &sc[1]);
    const __m128i mins = _mm_and_si128(_mm_srli_epi16(packed, 4), low4);
    const __m256 m_lo = _mm256_mul_ps(_mm256_set1_ps(-dmin), sbytes8_ps(mins));
    const __m256 m_hi = _mm256_mul_ps(_mm256_set1_ps(-dmin), sbytes8_ps(_mm_srli_si128(mins, 8)));
    __attribute__((aligned(32))) float f[4][8];
    for (int t = 0; t < T; t++) {
        _mm256_store_ps(f[t], _mm256_mul_ps(_mm256_set1_ps(d), _mm256_loadu_ps(xd + t * dst)));
        acc0[t] = _mm256_fmadd_ps(m_lo, _mm256_loadu_ps(xs + t * sst), acc0[t]);
        acc1[t] = _mm256_fmadd_ps(m_hi, _mm256_loadu_ps(xs + t * sst + 8), acc1[t]);
    }
    const __m256i three = _mm256_set1_epi8(3);
    for (int h = 0; h < 2; h++) {
        const __m256i bytes = _mm256_loadu_si256((const __m256i *)(blk + 16 + 32 * h));
        for (int g = 0; g < 4; g++) {
            const int G = 4 * h + g;
            const __m256i u = _mm256_and_si256(_mm256_srli_epi16(bytes, 2 * g), three);
            const __m256i s = scale_pair(sc[h], 2 * g);
            __m256 *acc = (g & 1) ? acc1 : acc0;
            for (int t = 0; t < T; t++)
                acc[t] = _mm256_fmadd_ps(dot_u8_scaled(u, xq + t * qst + 32 * G, s),
                                         _mm256_broadcast_ss(&f[t][G]), acc[t]);
        }
    }
}

// Q3_K (§5.8): w = (d·s_k)·(u − 4), u = low 2 bits + 4·high bit.
ALWAYS void q3_k_block(BLOCK_ARGS) {
    const float d = k_f16(blk + 108);
    uint32_t packed[4];
    k3_scales(blk + 96, packed);
    const __m128i s8 = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)packed), _mm_set1_epi8(32));
    __m256i sc[2];
    scales16(s8, &sc[0], &sc[1]);
    const __m256 b_lo = _mm256_mul_ps(_mm256_set1_ps(-4.0f * d), sbytes8_ps(s8));
    const __m256 b_hi = _mm256_mul_ps(_mm256_set1_ps(-4.0f * d), sbytes8_ps(_mm_srli_si128(s8, 8)));
    __attribute__((aligned(32))) float f[4][8];
    for (int t = 0; t < T; t++) {
        _mm256_store_ps(f[t], _mm256_mul_ps(_mm256_set1_ps(d), _mm256_loadu_ps(xd + t * dst)));
        acc0[t] = _mm256_fmadd_ps(b_lo, _mm256_loadu_ps(xs + t * sst), acc0[t]);
        acc1[t] = _mm256_fmadd_ps(b_hi, _mm256_loadu_ps(xs + t * sst + 8), acc1[t]);
    }
    const __m256i hmask = _mm256_loadu_si256((const __m256i *)blk);
    const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    for (int h = 0; h < 2; h++) {
        const __m256i bytes = _mm256_loadu_si256((const __m256i *)(blk + 32 + 32 * h));
        for (int g = 0; g < 4; g++) {
            const int G = 4 * h + g;
            const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hmask, G), one);
            const __m256i u = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bytes, 2 * g), three),
                                              _mm256_slli_epi16(high, 2));
            const __m256i s = scale_pair(sc[h], 2 * g);
            __m256 *acc = (g & 1) ? acc1 : acc0;
            for (int t = 0; t < T; t++)
                acc[t] = _mm256_fmadd_ps(dot_u8_scaled(u, xq + t * qst + 32 * G, s),
                                         _mm256_broadcast_ss(&f[t][G]), acc[t]);
        }
    }
}

// Q4_K (§5.9) and Q5_K (§5.10): w = (d·sc_j)·u − dmin·m_j per 32; chunk c of 64 is the low
// then the high nibbles of qs[32c…], Q5_K adding bit j of qh[l] as 16.
ALWAYS void k45_block(BLOCK_ARGS, const uint8_t *qs, const uint8_t *qh) {
    const float d = k_f16(blk), dmin = k_f16(blk + 2);
    uint32_t packed[4];
    k4_scales(blk + 4, packed);
    const __m256 sc = _mm256_mul_ps(_mm256_set1_ps(d), bytes8_ps(packed[0], packed[1]));
    const __m256 mn = _mm256_mul_ps(_mm256_set1_ps(-dmin), bytes8_ps(packed[2], packed[3]));
    __attribute__((aligned(32))) float f[4][8];
    for (int t = 0; t < T; t++) {
        _mm256_store_ps(f[t], _mm256_mul_ps(sc, _mm256_loadu_ps(xd + t * dst)));
        acc0[t] = _mm256_fmadd_ps(mn, sums32(xs + t * sst), acc0[t]);
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    const __m256i high = qh ? _mm256_loadu_si256((const __m256i *)qh) : _mm256_setzero_si256();
    for (int c = 0; c < 4; c++) {
        const __m256i bytes = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));
        __m256i u0 = _mm256_and_si256(bytes, low4);
        __m256i u1 = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4);
        if (qh) {
            u0 = _mm256_or_si256(u0, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 2 * c), one), 4));
            u1 = _mm256_or_si256(u1, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 2 * c + 1), one), 4));
        }
        for (int t = 0; t < T; t++) {
            acc0[t] = _mm256_fmadd_ps(dot_u8(u0, xq + t * qst + 64 * c), _mm256_broadcast_ss(&f[t][2 * c]), acc0[t]);
            acc1[t] = _mm256_fmadd_ps(dot_u8(u1, xq + t * qst + 64 * c + 32), _mm256_broadcast_ss(&f[t][2 * c + 1]), acc1[t]);
        }
    }
}
ALWAYS void q4_k_block(BLOCK_ARGS) { k45_block(blk, T, xq, xd, xs, qst, dst, sst, acc0, acc1, blk + 16, NULL); }
ALWAYS void q5_k_block(BLOCK_ARGS) { k45_block(blk, T, xq, xd, xs, qst, dst, sst, acc0, acc1, blk + 48, blk + 16); }

// Q6_K (§5.11): w = (d·s_k)·(u − 32), u = low 4 bits | high 2 bits << 4.
ALWAYS void q6_k_block(BLOCK_ARGS) {
    const float d = k_f16(blk + 208);
    const __m128i s8 = _mm_loadu_si128((const __m128i *)(blk + 192));
    __m256i sc[2];
    scales16(s8, &sc[0], &sc[1]);
    const __m256 b_lo = _mm256_mul_ps(_mm256_set1_ps(-32.0f * d), sbytes8_ps(s8));
    const __m256 b_hi = _mm256_mul_ps(_mm256_set1_ps(-32.0f * d), sbytes8_ps(_mm_srli_si128(s8, 8)));
    __attribute__((aligned(32))) float f[4][8];
    for (int t = 0; t < T; t++) {
        _mm256_store_ps(f[t], _mm256_mul_ps(_mm256_set1_ps(d), _mm256_loadu_ps(xd + t * dst)));
        acc0[t] = _mm256_fmadd_ps(b_lo, _mm256_loadu_ps(xs + t * sst), acc0[t]);
        acc1[t] = _mm256_fmadd_ps(b_hi, _mm256_loadu_ps(xs + t * sst + 8), acc1[t]);
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int h = 0; h < 2; h++) {
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
        for (int g = 0; g < 4; g++) {
            const int G = 4 * h + g;
            const __m256i ql = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32 * (g & 1)));
            const __m256i low = _mm256_and_si256(g < 2 ? ql : _mm256_srli_epi16(ql, 4), low4);
            const __m256i hi2 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * g), three);
            const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(hi2, 4));
            const __m256i s = scale_pair(sc[h], 2 * g);
            __m256 *acc = (g & 1) ? acc1 : acc0;
            for (int t = 0; t < T; t++)
                acc[t] = _mm256_fmadd_ps(dot_u8_scaled(u, xq + t * qst + 32 * G, s),
                                         _mm256_broadcast_ss(&f[t][G]), acc[t]);
        }
    }
}

// Activation rows are taken T ≤ 4 at a time so each block is unpacked once per T rows
// (prefill); the T loops above unroll because T is a constant in every instance below.
#define DEFINE_INT8_MATMUL(NAME, BLOCK, BLOCK_BYTES, ELEMS)                                   \
ALWAYS void NAME##_tile(const uint8_t *w, size_t row_bytes, int r0, int r1, int cols,          \
                        const int8_t *xq, const float *xd, const float *xs, int T,             \
                        float *y, size_t y_stride) {                                           \
    const int blocks = cols / ELEMS;                                                           \
    const size_t qst = (size_t)cols, dst = (size_t)cols / 32, sst = (size_t)cols / 16;         \
    for (int r = r0; r < r1; r++) {                                                            \
        const uint8_t *row = w + (size_t)r * row_bytes;                                        \
        __m256 a0[4], a1[4];                                                                   \
        for (int t = 0; t < T; t++) { a0[t] = _mm256_setzero_ps(); a1[t] = a0[t]; }            \
        int b = 0;                                                                             \
        for (; b + 2 <= blocks; b += 2) {                                                      \
            BLOCK(row + (size_t)b * BLOCK_BYTES, T, xq + b * ELEMS, xd + b * (ELEMS / 32),      \
                  xs + b * (ELEMS / 16), qst, dst, sst, a0, a1);                               \
            BLOCK(row + (size_t)(b + 1) * BLOCK_BYTES, T, xq + (b + 1) * ELEMS,                \
                  xd + (b + 1) * (ELEMS / 32), xs + (b + 1) * (ELEMS / 16), qst, dst, sst, a1, a0); \
        }                                                                                      \
        if (b < blocks)                                                                        \
            BLOCK(row + (size_t)b * BLOCK_BYTES, T, xq + b * ELEMS, xd + b * (ELEMS / 32),      \
                  xs + b * (ELEMS / 16), qst, dst, sst, a0, a1);                               \
        for (int t = 0; t < T; t++) y[(size_t)t * y_stride + r] = k_hsum(_mm256_add_ps(a0[t], a1[t])); \
    }                                                                                          \
}                                                                                              \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const int8_t *xq, const float *xd, const float *xs, int n, float *y, size_t y_stride) { \
    const size_t qst = (size_t)cols, dst = (size_t)cols / 32, sst = (size_t)cols / 16;         \
    int v = 0;                                                                                 \
    for (; v + 4 <= n; v += 4)                                                                 \
        NAME##_tile(w, row_bytes, row_begin, row_end, cols, xq + v * qst, xd + v * dst,        \
                    xs + v * sst, 4, y + (size_t)v * y_stride, y_stride);                      \
    const int rest = n - v;                                                                    \
    const int8_t *q = xq + v * qst; const float *d = xd + v * dst, *s = xs + v * sst;          \
    float *out = y + (size_t)v * y_stride;                                                     \
    if (rest == 3) NAME##_tile(w, row_bytes, row_begin, row_end, cols, q, d, s, 3, out, y_stride); \
    if (rest == 2) NAME##_tile(w, row_bytes, row_begin, row_end, cols, q, d, s, 2, out, y_stride); \
    if (rest == 1) NAME##_tile(w, row_bytes, row_begin, row_end, cols, q, d, s, 1, out, y_stride); \
}

DEFINE_INT8_MATMUL(dst_matmul_q5_0, q5_0_block, 22, 32)
DEFINE_INT8_MATMUL(dst_matmul_q5_1, q5_1_block, 24, 32)
DEFINE_INT8_MATMUL(dst_matmul_q2_k, q2_k_block, 84, 256)
DEFINE_INT8_MATMUL(dst_matmul_q3_k, q3_k_block, 110, 256)
DEFINE_INT8_MATMUL(dst_matmul_q4_k, q4_k_block, 144, 256)
DEFINE_INT8_MATMUL(dst_matmul_q5_k, q5_k_block, 176, 256)
DEFINE_INT8_MATMUL(dst_matmul_q6_k, q6_k_block, 210, 256)
#endif
