import Foundation
import Testing
@testable import Traces

/// Parity with the reference: Fixtures/python_zstd was written by `streaming.MDSWriter`
/// (scripts/fixtures/make_mds_fixtures.py), expected.json is what its reader decodes.
@Suite struct MDSReferenceFixtureTests {
    @Test func readsThePythonWrittenDatasetExactly() throws {
        let ds = try MDSDataset(directory: try fixtureURL("python_zstd"))
        #expect(ds.index.shards.count >= 2)
        let expectedData = try Data(contentsOf: try fixtureURL("python_zstd.expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [[String: Any]])
        #expect(ds.count == expected.count)
        let got = try readAll(ds)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(sameJSON(try canonical(g), e), "sample \(i): \(g)")
        }
        // Random access agrees with iteration.
        for i in stride(from: ds.count - 1, through: 0, by: -2) { #expect(try ds.sample(at: i) == got[i]) }
    }

    /// Our writer's raw shard is byte-identical to MDSWriter's for the same samples and limit
    /// (MDS.md §6 checklist), because the config and record layout match.
    @Test func ourRawShardsMatchTheReferenceBytes() throws {
        let reference = try MDSDataset(directory: try fixtureURL("python_zstd"))
        let samples = try readAll(reference)
        let dir = try temporaryDirectory("identical")
        defer { try? FileManager.default.removeItem(at: dir) }
        let limit = try #require(reference.index.shards.first?.sizeLimit)
        let writer = try MDSShardWriter(directory: dir, columns: fixtureColumns, sizeLimit: limit)
        for s in samples { try writer.write(s) }
        let ours = try writer.finish()
        #expect(ours.shards.map(\.samples) == reference.index.shards.map(\.samples))
        #expect(ours.shards.map(\.rawData) == reference.index.shards.map(\.rawData))
    }
}
