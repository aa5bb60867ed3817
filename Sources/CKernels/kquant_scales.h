// Block-reading helpers shared by the vectorised and portable Q5/K-quant kernels.
#ifndef DISTILLERY_KQUANT_SCALES_H
#define DISTILLERY_KQUANT_SCALES_H
#include <stdint.h>
#include <string.h>

static inline uint16_t k_load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t k_load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

// The 12-byte 6-bit scale packings as four little-endian words (bytes 4j…4j+3 of the
// result): Q4_K/Q5_K give scales sc_0…7 then mins m_0…7 (§5.9); Q3_K gives s_0…15 (§5.8).
static inline void k4_scales(const uint8_t *p, uint32_t out[4]) {
    const uint32_t w0 = k_load_u32(p), w1 = k_load_u32(p + 4), w2 = k_load_u32(p + 8);
    out[0] = w0 & 0x3F3F3F3F;
    out[1] = (w2 & 0x0F0F0F0F) | ((w0 >> 2) & 0x30303030);
    out[2] = w1 & 0x3F3F3F3F;
    out[3] = ((w2 >> 4) & 0x0F0F0F0F) | ((w1 >> 2) & 0x30303030);
}
static inline void k3_scales(const uint8_t *p, uint32_t out[4]) {
    const uint32_t w0 = k_load_u32(p), w1 = k_load_u32(p + 4), w2 = k_load_u32(p + 8);
    out[0] = (w0 & 0x0F0F0F0F) | ((w2 & 0x03030303) << 4);
    out[1] = (w1 & 0x0F0F0F0F) | (((w2 >> 2) & 0x03030303) << 4);
    out[2] = ((w0 >> 4) & 0x0F0F0F0F) | (((w2 >> 4) & 0x03030303) << 4);
    out[3] = ((w1 >> 4) & 0x0F0F0F0F) | (((w2 >> 6) & 0x03030303) << 4);
}

#endif
