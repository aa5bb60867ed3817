import Foundation
import Testing
@testable import Provenance

/// Cycles, dangling parents, unknown license ids and malformed manifests are findings, never traps.
@Suite struct GraphProblemTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    @Test func cycleIsAFindingNamingTheLoop() throws {
        let a = try fx.manifest("model-a", license: "apache-2.0", parents: [Parent(id: "model-b", role: .base, relation: .finetune, path: "../b")])
        let b = try fx.manifest("model-b", license: "apache-2.0", parents: [Parent(id: "model-a", role: .base, relation: .finetune, path: "../a")])
        let dirA = try fx.folder("a", manifest: a)
        try fx.folder("b", manifest: b)
        let report = fx.audit(dirA)
        let f = try #require(report.findings(rule: "lineage-cycle").first)
        #expect(f.severity == .fail)
        #expect(f.message.contains("model-a → model-b → model-a"))
        #expect(report.findings(rule: "lineage-cycle").count == 1)
    }

    @Test func selfParentIsACycle() throws {
        let a = try fx.manifest("narcissus", license: "mit", parents: [Parent(id: "narcissus", role: .base, relation: .finetune, path: ".")])
        let report = fx.audit(try fx.folder("self", manifest: a))
        #expect(report.has(.fail, "lineage-cycle"))
    }

    @Test func danglingLocalParentNamesThePath() throws {
        let m = try fx.manifest("orphan", license: "apache-2.0", parents: [Parent(id: "lost-base", role: .base, relation: .finetune, path: "../nowhere")])
        let report = fx.audit(try fx.folder("orphan", manifest: m))
        let f = try #require(report.findings(rule: "dangling-parent").first)
        #expect(f.severity == .fail && f.message.contains("nowhere") && f.message.contains("lost-base"))
    }

    @Test func unknownParentWithoutLicenseFailsWithLicenseWarns() throws {
        let m = try fx.manifest("child", license: "apache-2.0", parents: [
            Parent(id: "someone/unknown-base", role: .base, relation: .finetune),
            Parent(id: "someone/unknown-data", role: .dataset, relation: .finetune, license: "cc-by-4.0"),
        ])
        let report = fx.audit(try fx.folder("child", manifest: m))
        let dangling = report.findings(rule: "dangling-parent")
        #expect(dangling.first { $0.ancestor == "someone/unknown-base" }?.severity == .fail)
        #expect(dangling.first { $0.ancestor == "someone/unknown-data" }?.severity == .warn)
    }

    @Test func unknownLicenseIdListsTheKnownOnes() throws {
        let m = try fx.manifest("odd", license: "wtfpl-ai")
        let report = fx.audit(try fx.folder("odd", manifest: m))
        let f = try #require(report.findings(rule: "unknown-license").first)
        #expect(f.severity == .fail && f.message.contains("'wtfpl-ai'"))
        #expect(f.fix.contains("llama3.1") && f.fix.contains("qwen-research"))
    }

    @Test(arguments: [
        ("{ not json", "(document)"),
        (#"{"schema_version": 1, "license": "mit"}"#, "name"),
        (#"{"schema_version": 1, "name": "x", "license": "mit", "parents": [{"id": "p", "role": "uncle", "relation": "finetune"}]}"#, "parents[0].role"),
        (#"{"schema_version": 1, "name": "x", "license": "mit", "files": [{"path": "a", "sha256": "00", "size": "big"}]}"#, "files[0].size"),
    ])
    func malformedManifestIsAFindingNamingTheField(json: String, field: String) throws {
        let dir = try fx.folder("bad-\(field.hashValue)", files: ["manifest.json": json])
        let report = fx.audit(dir)
        let f = try #require(report.findings(rule: "malformed-manifest").first)
        #expect(f.severity == .fail)
        #expect(f.message.contains("manifest.json") && f.message.contains("'\(field)'"), "\(f.message)")
    }

    @Test func futureSchemaVersionIsRefusedClearly() throws {
        let dir = try fx.folder("future", files: ["manifest.json": #"{"schema_version": 9, "name": "x", "license": "mit"}"#])
        #expect(throws: ProvenanceError.unsupportedSchemaVersion(path: dir.appendingPathComponent("manifest.json").path, found: 9)) {
            try Manifest.load(from: dir)
        }
    }

    @Test func malformedParentManifestDoesNotStopTheAudit() throws {
        try fx.folder("broken-parent", files: ["manifest.json": "[]"])
        let m = try fx.manifest("kid", license: "apache-2.0", parents: [Parent(id: "broken", role: .base, relation: .finetune, license: "apache-2.0", path: "../broken-parent")])
        let report = fx.audit(try fx.folder("kid", manifest: m))
        #expect(report.findings(rule: "dangling-parent").first?.message.contains("broken-parent/manifest.json") == true)
    }

    @Test func missingPathIsAFinding() {
        let report = fx.audit(fx.root.appendingPathComponent("does-not-exist"))
        #expect(report.verdict == .fail)
        #expect(report.findings.first?.message.contains("does-not-exist") == true)
    }

    /// A 3,000-deep chain: no recursion on the audit path, so no stack overflow.
    @Test func deepChainIsWalkedIteratively() throws {
        let depth = 3000
        for i in 0..<depth {
            var m = Manifest(name: "m\(i)", license: "apache-2.0", kind: .model)
            if i + 1 < depth { try m.addParent(Parent(id: "m\(i + 1)", role: .base, relation: .finetune, license: "apache-2.0", path: "../m\(i + 1)")) }
            let dir = fx.root.appendingPathComponent("m\(i)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try m.write(to: dir)
        }
        let report = fx.audit(fx.root.appendingPathComponent("m0"))
        #expect(report.findings(rule: "lineage-cycle").isEmpty, "\(report.findings(rule: "lineage-cycle").first?.message.prefix(300) ?? "")")
        #expect(report.findings(rule: "dangling-parent").isEmpty)
        #expect(report.has(.fail, "license-copy"))  // Apache §4(a) from the ancestors; no LICENSE shipped
    }
}

@Suite struct PathResolutionTests {
    @Test(arguments: [
        ("../b", "/w/a", "/w/b"), ("b", "/w/a", "/w/a/b"), ("./b", "/w/a", "/w/a/b"), ("../../x/y", "/w/a", "/x/y"),
        ("/abs/p", "/w/a", "/abs/p"), ("b/../c", "/w/a", "/w/a/c"), (".", "/w/a", "/w/a"), ("../../../..", "/w/a", "/"),
    ])
    func resolvesRelativeParentPaths(path: String, base: String, expected: String) {
        #expect(LineageGraph.resolve(path, against: base) == expected)
    }
}
