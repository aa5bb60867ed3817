import CZstd
import Foundation

/// Whole-buffer zstd, as MDS compresses each finished shard in one piece (MDS.md §5).
enum Zstd {
    /// One frame with Frame_Content_Size present: the reference reader rejects frames
    /// without it once the shard exceeds 128 KiB (MDS.md §5 table), and `ZSTD_compress`
    /// always records it.
    static func compress(_ input: [UInt8], level: Int32, file: String) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        if ZSTD_isError(bound) != 0 {
            throw TracesError.zstd(file: file, reason: "input of \(input.count) bytes is too large to compress")
        }
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inp in
                ZSTD_compress(out.baseAddress, out.count, inp.baseAddress, inp.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw TracesError.zstd(file: file, reason: String(cString: ZSTD_getErrorName(written)))
        }
        output.removeSubrange(written...)
        return output
    }

    /// Streams through every frame (MDS.md §5 allows concatenated and skippable frames) and
    /// never trusts a size read from the file: output grows only as real data decodes, capped
    /// at `limit` (a raw shard is < 4 GiB because its offsets are u32, MDS.md §3).
    static func decompress(_ input: [UInt8], limit: Int = Int(UInt32.max), file: String) throws -> [UInt8] {
        if input.isEmpty {
            throw TracesError.zstd(file: file, reason: "the compressed file is empty")
        }
        guard let stream = ZSTD_createDStream() else {
            throw TracesError.zstd(file: file, reason: "cannot allocate a decompression context")
        }
        defer { ZSTD_freeDStream(stream) }
        let chunkSize = ZSTD_DStreamOutSize()
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var output: [UInt8] = []
        try input.withUnsafeBytes { inp in
            var inBuffer = ZSTD_inBuffer(src: inp.baseAddress, size: inp.count, pos: 0)
            while true {
                let before = inBuffer.pos
                let (result, produced) = chunk.withUnsafeMutableBytes { out -> (Int, Int) in
                    var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    let r = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    return (r, outBuffer.pos)
                }
                if ZSTD_isError(result) != 0 {
                    throw TracesError.zstd(file: file, reason: String(cString: ZSTD_getErrorName(result)))
                }
                if output.count + produced > limit {
                    throw TracesError.zstd(file: file, reason: "decompressed data exceeds \(limit) bytes")
                }
                output.append(contentsOf: chunk[0..<produced])
                let inputDone = inBuffer.pos == inBuffer.size
                // result == 0: a frame ended and the decoder holds nothing more.
                if inputDone && result == 0 { break }
                // Input used up, output buffer not filled, frame not finished: truncated.
                if inputDone && produced < chunkSize {
                    throw TracesError.zstd(file: file, reason: "the compressed data ends inside a frame")
                }
                // No input taken and no output made: stop rather than spin on corrupt data.
                if produced == 0 && inBuffer.pos == before {
                    throw TracesError.zstd(file: file, reason: "the decoder made no progress at byte \(before)")
                }
            }
        }
        return output
    }
}
