// The portable build (DISTILLERY_PORTABLE=1 or a non-x86 machine) of quantized_matmul_k.c:
// each block is dequantised as GGUF.md §5 says and dotted with the same int8 activations,
// x' = xq·xd, so both builds compute W · x' and differ only in summation order.
#include "CKernels.h"
#include "kquant_scales.h"

#if !(defined(__AVX2__) && defined(__FMA__))

static inline float k_f16(const uint8_t *p) {
    const uint16_t h = k_load_u16(p);
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0 && mant == 0) bits = sign;
    else if (exp == 0) {  // subnormal: normalise
        exp = 127 - 15 + 1;
        while ((mant & 0x400) == 0) { mant <<= 1; exp--; }
        bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
    } else if (exp == 31) bits = sign | 0x7F800000 | (mant << 13);
    else bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    float f; memcpy(&f, &bits, 4); return f;
}

static void q5_0_dequant(const uint8_t *b, float *y) {
    const float d = k_f16(b); const uint32_t h = k_load_u32(b + 2);
    for (int j = 0; j < 16; j++) {
        y[j] = (float)((int)((b[6 + j] & 15) | ((h >> j) & 1) << 4) - 16) * d;
        y[j + 16] = (float)((int)((b[6 + j] >> 4) | ((h >> (j + 16)) & 1) << 4) - 16) * d;
    }
}
static void q5_1_dequant(const uint8_t *b, float *y) {
    const float d = k_f16(b), m = k_f16(b + 2); const uint32_t h = k_load_u32(b + 4);
    for (int j = 0; j < 16; j++) {
        y[j] = (float)((b[8 + j] & 15) | ((h >> j) & 1) << 4) * d + m;
        y[j + 16] = (float)((b[8 + j] >> 4) | ((h >> (j + 16)) & 1) << 4) * d + m;
    }
}
static void q2_k_dequant(const uint8_t *b, float *y) {
    const float d = k_f16(b + 80), dmin = k_f16(b + 82);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32, k = e / 16;
        const int q = (b[16 + 32 * h + l] >> (2 * g)) & 3;
        y[e] = d * (float)(b[k] & 15) * (float)q - dmin * (float)(b[k] >> 4);
    }
}
static void q3_k_dequant(const uint8_t *b, float *y) {
    const float d = k_f16(b + 108);
    uint32_t packed[4]; uint8_t s[16];
    k3_scales(b + 96, packed); memcpy(s, packed, 16);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32;
        const int low = (b[32 + 32 * h + l] >> (2 * g)) & 3, high = (b[l] >> (e / 32)) & 1;
        y[e] = d * (float)((int)s[e / 16] - 32) * (float)(low - (high ? 0 : 4));
    }
}
static void k45_dequant(const uint8_t *b, const uint8_t *qs, const uint8_t *qh, float *y) {
    const float d = k_f16(b), dmin = k_f16(b + 2);
    uint32_t packed[4]; uint8_t s[16];
    k4_scales(b + 4, packed); memcpy(s, packed, 16);
    for (int e = 0; e < 256; e++) {
        const int j = e / 32, byte = qs[32 * (e / 64) + e % 32];
        int q = (j & 1) ? byte >> 4 : byte & 15;
        if (qh) q |= ((qh[e % 32] >> j) & 1) << 4;
        y[e] = d * (float)s[j] * (float)q - dmin * (float)s[8 + j];
    }
}
static void q4_k_dequant(const uint8_t *b, float *y) { k45_dequant(b, b + 16, NULL, y); }
static void q5_k_dequant(const uint8_t *b, float *y) { k45_dequant(b, b + 48, b + 16, y); }
static void q6_k_dequant(const uint8_t *b, float *y) {
    const float d = k_f16(b + 208);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32;
        const int ql = b[64 * h + l + 32 * (g & 1)], low = g < 2 ? ql & 15 : ql >> 4;
        const int high = (b[128 + 32 * h + l] >> (2 * g)) & 3;
        y[e] = d * (float)(int8_t)b[192 + e / 16] * (float)((low | high << 4) - 32);
    }
}

#define DEFINE_INT8_MATMUL(NAME, DEQUANT, BLOCK_BYTES, ELEMS)                                  \
void NAME(const uint8_t *w, size_t row_bytes, int row_begin, int row_end, int cols,           \
          const int8_t *xq, const float *xd, const float *xs, int n, float *y, size_t y_stride) { \
    (void)xs;                                                                                  \
    float blockw[256];                                                                         \
    for (int r = row_begin; r < row_end; r++)                                                  \
        for (int v = 0; v < n; v++) {                                                          \
            const int8_t *q = xq + (size_t)v * cols; const float *d = xd + (size_t)v * (cols / 32); \
            float acc = 0;                                                                     \
            for (int b = 0; b < cols / ELEMS; b++) {                                           \
                DEQUANT(w + (size_t)r * row_bytes + (size_t)b * BLOCK_BYTES, blockw);         \
                for (int e = 0; e < ELEMS; e++)                                                \
                    acc += blockw[e] * ((float)q[b * ELEMS + e] * d[(b * ELEMS + e) / 32]);    \
            }                                                                                  \
            y[(size_t)v * y_stride + r] = acc;                                                 \
        }                                                                                      \
}

DEFINE_INT8_MATMUL(dst_matmul_q5_0, q5_0_dequant, 22, 32)
DEFINE_INT8_MATMUL(dst_matmul_q5_1, q5_1_dequant, 24, 32)
DEFINE_INT8_MATMUL(dst_matmul_q2_k, q2_k_dequant, 84, 256)
DEFINE_INT8_MATMUL(dst_matmul_q3_k, q3_k_dequant, 110, 256)
DEFINE_INT8_MATMUL(dst_matmul_q4_k, q4_k_dequant, 144, 256)
DEFINE_INT8_MATMUL(dst_matmul_q5_k, q5_k_dequant, 176, 256)
DEFINE_INT8_MATMUL(dst_matmul_q6_k, q6_k_dequant, 210, 256)
#endif
