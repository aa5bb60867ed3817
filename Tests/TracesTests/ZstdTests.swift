import Foundation
import Testing
@testable import Traces

/// The zstd inputs MDS.md §5 says the reference accepts must decode here too; broken ones
/// must give a typed error.
@Suite struct ZstdTests {
    let payload: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 * 2654435761) >> 13) }

    @Test func oneShotRoundTripRecordsTheContentSize() throws {
        let zip = try Zstd.compress(payload, level: 3, file: "t")
        #expect(try Zstd.decompress(zip, file: "t") == payload)
        // Frame_Header_Descriptor: FCS flag (bits 7–6) or Single_Segment (bit 5) set.
        #expect((zip[4] & 0xE0) != 0)
    }

    /// The writer's path: parts compressed as one streamed frame that still records its size.
    @Test func streamedPartsMakeOneFrameWithItsContentSize() throws {
        var zip: [UInt8] = []
        let head = Array(payload[..<1_000]), body = Array(payload[1_000...])
        try head.withUnsafeBytes { h in
            try body.withUnsafeBytes { b in
                try Zstd.compress([h, b], level: 3, file: "t") { zip += $0 }
            }
        }
        #expect(try Zstd.decompress(zip, file: "t") == payload)
        // Frame_Header_Descriptor (RFC 8878 §3.1.1.1.1): FCS flag 2 means a 4-byte size, after
        // the Window_Descriptor (absent in single-segment frames) and the dictionary id.
        let descriptor = zip[4]
        #expect(descriptor >> 6 == 2)
        let at = 5 + (descriptor & 0x20 != 0 ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        let fcs = Int(zip[at]) | Int(zip[at + 1]) << 8 | Int(zip[at + 2]) << 16 | Int(zip[at + 3]) << 24
        #expect(fcs == payload.count)
    }

    @Test func concatenatedFramesDecodeAsOne() throws {
        let a = try Zstd.compress(Array(payload[..<70_000]), level: 1, file: "t")
        let b = try Zstd.compress(Array(payload[70_000...]), level: 19, file: "t")
        #expect(try Zstd.decompress(a + b, file: "t") == payload)
    }

    @Test func brokenInputThrows() throws {
        let zip = try Zstd.compress(payload, level: 3, file: "t")
        #expect(throws: TracesError.self) { try Zstd.decompress([], file: "t") }
        #expect(throws: TracesError.self) { try Zstd.decompress(Array(zip.dropLast(10)), file: "t") }
        #expect(throws: TracesError.self) { try Zstd.decompress(Array("not zstd at all".utf8), file: "t") }
        #expect(throws: TracesError.self) { try Zstd.decompress(zip, limit: 1000, file: "t") }
    }

    @Test func invalidUTF8InAStrColumnIsATypedError() throws {
        let column = MDSColumn("id", .str)
        #expect(column.decode([0x66, 0xFF, 0x6F][...]) == nil)
        #expect(column.decode(Array("é✓".utf8)[...]) == .string("é✓"))
    }
}
