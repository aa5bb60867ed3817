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

    /// Compresses the concatenation of `parts` as one frame, handing the output to `sink` in
    /// `ZSTD_CStreamOutSize()` pieces. The total is pledged first, so the frame records its
    /// content size as the one-shot `ZSTD_compress` does (MDS.md §5 table). `beforeEachPart`
    /// sees each part just before zstd reads it (the writer hashes it there, while in cache).
    static func compress(_ parts: [UnsafeRawBufferPointer], level: Int32, file: String,
                         beforeEachPart: (UnsafeRawBufferPointer) -> Void = { _ in },
                         sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let cctx = ZSTD_createCCtx() else {
            throw TracesError.zstd(file: file, reason: "cannot allocate a compression context")
        }
        defer { ZSTD_freeCCtx(cctx) }
        func check(_ code: Int) throws {
            if ZSTD_isError(code) != 0 { throw TracesError.zstd(file: file, reason: String(cString: ZSTD_getErrorName(code))) }
        }
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1))
        try check(ZSTD_CCtx_setPledgedSrcSize(cctx, UInt64(parts.reduce(0) { $0 + $1.count })))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
        defer { chunk.deallocate() }
        let inputs = parts.isEmpty ? [UnsafeRawBufferPointer(start: nil, count: 0)] : parts
        for (i, part) in inputs.enumerated() {
            let last = i == inputs.count - 1
            beforeEachPart(part)
            var input = ZSTD_inBuffer(src: part.baseAddress, size: part.count, pos: 0)
            while true {
                var output = ZSTD_outBuffer(dst: chunk.baseAddress, size: chunk.count, pos: 0)
                let remaining = ZSTD_compressStream2(cctx, &output, &input, last ? ZSTD_e_end : ZSTD_e_continue)
                try check(remaining)
                if output.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: chunk[..<output.pos])) }
                if last ? remaining == 0 : input.pos == input.size { break }
            }
        }
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
