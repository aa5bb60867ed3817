import Foundation
import Testing
@testable import Traces

@Suite struct MDSResumeTests {
    /// A killed writer (finish never called) leaves its finished shards readable; resuming
    /// continues the numbering and the final dataset holds every re-written sample once.
    @Test func resumeAfterAKilledWriter() throws {
        let dir = try temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: MDSShardWriter? = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: 1500)
        var i = 0
        while (first?.shards.count ?? 0) < 2 {
            try first?.write(makeSample(i)); i += 1
        }
        // The sample that opened shard 2 is buffered only: the "kill" loses it.
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
        #expect(resumed.sampleCount == durable)
        for j in durable..<30 { try resumed.write(makeSample(j)) }
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
}
