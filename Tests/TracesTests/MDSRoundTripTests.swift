import Foundation
import Testing
@testable import Traces

@Suite struct MDSRoundTripTests {
    @Test func writerOutputRoundTripsAndMatchesTheIndexLayout() throws {
        let dir = try temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: 1500)
        let samples = (0..<20).map(makeSample)
        for s in samples { try writer.write(s) }
        let index = try writer.finish()
        #expect(index.shards.count >= 3)
        #expect(index.shards.reduce(0) { $0 + $1.samples } == 20)

        // index.json as the reference writes it: sorted keys, Python separators, no newline (MDS.md §2).
        let text = try String(contentsOf: dir.appendingPathComponent("index.json"), encoding: .utf8)
        #expect(text.hasPrefix(#"{"shards": [{"column_encodings": ["bytes", "ndarray", "ndarray:int16:2,3", "str", "json", "int64", "float64", "ndarray:uint32", "ndarray:float16"], "column_names": ["blob", "dyn", "grid", "id", "meta", "n", "score", "tokens", "topk"], "column_sizes": [null, null, 12, null, null, 8, 8, null, null], "compression": "zstd", "format": "mds", "hashes": ["sha256"], "raw_data": {"basename": "shard.00000.mds", "bytes": "#))
        #expect(text.hasSuffix(#"], "version": 2}"#))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["index.json"] + (0..<index.shards.count).map { String(format: "shard.%05d.mds.zstd", $0) })

        for entry in index.shards {
            #expect(entry.rawData.bytes <= 1500 || entry.samples == 1)
            // One frame with Frame_Content_Size (MDS.md §5): magic, then a descriptor whose
            // FCS flag or Single_Segment flag is set.
            let zip = try [UInt8](Data(contentsOf: dir.appendingPathComponent(entry.zipData?.basename ?? "")))
            #expect(Array(zip.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
            #expect(zip.count > 4 && (zip[4] & 0xE0) != 0)
            #expect(entry.zipData?.bytes == zip.count)
        }

        let ds = try MDSDataset(directory: dir)
        #expect(ds.count == 20)
        let read = try readAll(ds)
        #expect(read == samples)
        // Random access, out of order, across shards.
        for i in [19, 0, 7, 3, 12, 19] { #expect(try ds.sample(at: i) == samples[i]) }
        #expect(throws: TracesError.sampleOutOfRange(index: 20, count: 20)) { try ds.sample(at: 20) }
    }

    @Test func uncompressedAndOtherLevelsRoundTrip() throws {
        for level in [nil, 1, 19] as [Int?] {
            let dir = try temporaryDirectory("level")
            defer { try? FileManager.default.removeItem(at: dir) }
            let writer = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: 1000, compressionLevel: level)
            for i in 0..<6 { try writer.write(makeSample(i)) }
            let index = try writer.finish()
            #expect(index.shards[0].compression == level.map { "zstd:\($0)" })
            #expect(try readAll(MDSDataset(directory: dir)) == (0..<6).map(makeSample))
        }
    }

    @Test func allScalarEncodingsRoundTrip() throws {
        let dir = try temporaryDirectory("scalars")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cols: [MDSColumn] = [.init("a", .int8), .init("b", .int16), .init("c", .int32), .init("d", .uint8),
                                 .init("e", .uint16), .init("f", .uint32), .init("g", .uint64), .init("h", .float32), .init("i", .int)]
        let writer = try MDSShardWriter(directory: dir, columns: cols)
        let sample: [String: MDSValue] = ["a": .int(-128), "b": .int(-300), "c": .int(Int64(Int32.min)), "d": .uint(255),
                                          "e": .uint(65535), "f": .uint(UInt64(UInt32.max)), "g": .uint(UInt64.max),
                                          "h": .double(1.5), "i": .int(Int64.min)]
        try writer.write(sample)
        #expect(throws: TracesError.self) { try writer.write(["a": .int(128), "b": .int(0), "c": .int(0), "d": .uint(0), "e": .uint(0), "f": .uint(0), "g": .uint(0), "h": .double(0), "i": .int(0)]) }
        #expect(throws: TracesError.self) { try writer.write(["a": .int(1)]) }
        try writer.finish()
        #expect(try MDSDataset(directory: dir).sample(at: 0) == sample)
    }

    @Test func refusesToOverwriteAnExistingDataset() throws {
        let dir = try temporaryDirectory("overwrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        try MDSShardWriter(directory: dir, columns: fixtureColumns).finish()
        #expect(throws: TracesError.self) { try MDSShardWriter(directory: dir, columns: fixtureColumns) }
    }

    /// Writes the dataset that the Python check reads. With DISTILLERY_MDS_EXPORT=PATH it
    /// leaves PATH/ds and PATH/expected.json for
    /// `scripts/fixtures/make_mds_fixtures.py --check PATH/ds`.
    @Test func exportForThePythonReference() throws {
        let dir = try temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ds = dir.appendingPathComponent("ds")
        // 200 samples with a 2 KiB limit: many shards; plus one sample over 128 KiB, to
        // exercise the reference's Frame_Content_Size requirement (MDS.md §5).
        let writer = try MDSShardWriter(directory: ds, columns: fixtureColumns, sizeLimit: 4096)
        var samples = (0..<200).map(makeSample)
        var big = makeSample(200)
        big["blob"] = .bytes((0..<300_000).map { UInt8(truncatingIfNeeded: ($0 * 7919) >> 3) })
        samples.append(big)
        for s in samples { try writer.write(s) }
        try writer.finish()
        #expect(try readAll(MDSDataset(directory: ds)) == samples)
        // The same samples uncompressed and at zstd:19, one shard each (size_limit 1 GiB).
        for (name, level) in [("ds-raw", nil), ("ds-zstd19", 19)] as [(String, Int?)] {
            let other = try MDSShardWriter(directory: dir.appendingPathComponent(name), columns: fixtureColumns,
                                           sizeLimit: 1 << 30, compressionLevel: level)
            for s in samples { try other.write(s) }
            #expect(try other.finish().shards.count == 1)
            #expect(try readAll(MDSDataset(directory: dir.appendingPathComponent(name))) == samples)
        }
        let expected = try samples.map(canonical)
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: dir.appendingPathComponent("expected.json"))
        if let export = ProcessInfo.processInfo.environment["DISTILLERY_MDS_EXPORT"] {
            let target = URL(fileURLWithPath: export)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: dir, to: target)
        }
    }
}
