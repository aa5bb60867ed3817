import Foundation
import Testing
@testable import Traces

@Suite struct MDSResumeTests {
    /// A killed writer (finish never called) leaves its finished shards readable and its
    /// unfinished shard's samples in the journal; resuming continues the numbering and the
    /// final dataset holds every written sample once.
    @Test func resumeAfterAKilledWriter() throws {
        let dir = try temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: MDSShardWriter? = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: 1500)
        var i = 0
        while (first?.shards.count ?? 0) < 2 {
            try first?.write(makeSample(i)); i += 1
        }
        // The sample that opened shard 2 is only in the journal.
        let durable = first?.shards.reduce(0) { $0 + $1.samples } ?? 0
        #expect(durable == i - 1)
        // A temp file a kill could leave behind mid-rename.
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent(".shard.00002.mds.zstd.tmp"))
        // A shard renamed into place whose index.json rewrite the kill prevented: not part of
        // the dataset, and replaced by the resumed writer's shard 2.
        try Data([9, 9, 9]).write(to: dir.appendingPathComponent("shard.00002.mds.zstd"))
        first = nil  // dropped without finish()

        let midway = try MDSDataset(directory: dir)
        #expect(midway.count == durable)
        #expect(try readAll(midway) == (0..<durable).map(makeSample))

        let resumed = try MDSShardWriter(resumingIn: dir, columns: fixtureColumns)
        #expect(resumed.sizeLimit == 1500)
        #expect(resumed.sampleCount == i)
        #expect(try resumed.pendingSamples() == [makeSample(i - 1)])
        for j in i..<30 { try resumed.write(makeSample(j)) }
        let index = try resumed.finish()
        #expect(index.shards.count > 2)
        #expect(index.shards.map(\.rawData.basename) == (0..<index.shards.count).map { String(format: "shard.%05d.mds", $0) })
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".shard.00002.mds.zstd.tmp").path))

        let ds = try MDSDataset(directory: dir)
        let ids = try readAll(ds).map { $0["id"] }
        #expect(ids == (0..<30).map { makeSample($0)["id"] })
    }

    @Test func resumeRefusesDifferentColumns() throws {
        let dir = try temporaryDirectory("resume-cols")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try MDSShardWriter(directory: dir, columns: fixtureColumns)
        try w.write(makeSample(0))
        try w.finish()
        #expect(throws: TracesError.self) { try MDSShardWriter(resumingIn: dir, columns: [MDSColumn("id", .str)]) }
        // Without columns the dataset's own are used.
        let again = try MDSShardWriter(resumingIn: dir)
        try again.write(makeSample(1))
        try again.finish()
        #expect(try MDSDataset(directory: dir).count == 2)
    }

    /// A kill mid-append leaves a torn entry: it is cut, and the whole entries before it survive.
    @Test func tornJournalEntryIsCut() throws {
        let dir = try temporaryDirectory("resume-torn")
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: MDSShardWriter? = try MDSShardWriter(directory: dir, columns: fixtureColumns)
        for j in 0..<3 { try first?.write(makeSample(j)) }
        first = nil
        let journal = dir.appendingPathComponent(MDSSampleJournal.fileName)
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]))  // claims 200 bytes, has 2
        try handle.close()

        // No shard was finished, so there is no index.json yet: the columns come from the caller.
        let resumed = try MDSShardWriter(resumingIn: dir, columns: fixtureColumns)
        #expect(try resumed.pendingSamples() == (0..<3).map(makeSample))
        try resumed.write(makeSample(3))
        try resumed.finish()
        #expect(try readAll(try MDSDataset(directory: dir)) == (0..<4).map(makeSample))
        #expect(!FileManager.default.fileExists(atPath: journal.path))
    }

    /// A kill after a shard was written but before the journal was emptied leaves a journal
    /// of samples the shard already holds: its shard number marks it stale.
    @Test func staleJournalAddsNothing() throws {
        let dir = try temporaryDirectory("resume-stale")
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: MDSShardWriter? = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: 1500)
        var i = 0
        while (first?.shards.count ?? 0) < 1 { try first?.write(makeSample(i)); i += 1 }
        let journal = dir.appendingPathComponent(MDSSampleJournal.fileName)
        let afterFlush = try Data(contentsOf: journal)
        first = nil
        // Rebuild the journal as it was just before the flush: shard 0, every sample of shard 0.
        let stale = MDSSampleJournal(directory: dir)
        try stale.start(shardNumber: 0)
        for j in 0..<(i - 1) { try stale.append(try MDSRecord.encode(makeSample(j), columns: fixtureColumns)) }
        #expect(try Data(contentsOf: journal) != afterFlush)

        let resumed = try MDSShardWriter(resumingIn: dir)
        #expect(resumed.sampleCount == i - 1)
        try resumed.finish()
        #expect(try readAll(try MDSDataset(directory: dir)) == (0..<(i - 1)).map(makeSample))
    }
}

@Suite struct JournalChecksumTests {
    /// The CRC-32C check value from the catalogue of parametrised CRCs (RFC 3720 §B.4's polynomial).
    @Test func crc32cOfTheCheckString() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(CRC32C.checksum(long) != CRC32C.checksum(Array(long.dropLast()) + [long.last! ^ 1]))
    }
}
