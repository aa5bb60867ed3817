#ifndef DISTILLERY_CHECKSUM_H
#define DISTILLERY_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `count` bytes; "123456789" gives 0xE3069283.
uint32_t dst_crc32c(const void *data, size_t count);

#endif
