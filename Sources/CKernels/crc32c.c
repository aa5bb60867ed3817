// CRC-32C (Castagnoli), for the MDS sample journal's torn-entry check: the SSE4.2 crc32
// instruction where the CPU has it (every x86-64 since 2008), a bitwise loop elsewhere.
#include "Checksum.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(const uint8_t *p, size_t n, uint32_t c) {
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = (uint32_t)_mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    while (n--) c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n, uint32_t c) {
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return c;
}

uint32_t dst_crc32c(const void *data, size_t count) {
    const uint8_t *p = (const uint8_t *)data;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_sse42(p, count, 0xFFFFFFFFu);
#endif
    return ~crc32c_bitwise(p, count, 0xFFFFFFFFu);
}
