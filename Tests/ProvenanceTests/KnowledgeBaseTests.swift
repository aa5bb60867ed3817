import Foundation
import Testing
@testable import Provenance

@Suite struct KnowledgeBaseTests {
    let kb: LicenseKnowledgeBase
    init() throws { kb = try LicenseKnowledgeBase.bundled() }

    @Test func holdsTheLicensesIssue3Names() {
        let required = ["mit", "apache-2.0", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "qwen", "qwen-research",
                        "gemma", "deepseek", "mrl", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "openrail-m", "openai-terms"]
        for id in required { #expect(kb.license(id) != nil, "missing \(id)") }
    }

    @Test func everyClauseCitesASectionAndEveryEntryALink() {
        for entry in kb.licenses.values {
            #expect(entry.link.hasPrefix("https://"), "\(entry.id)")
            for clause in entry.permissions + entry.obligations + entry.restrictions {
                #expect(!clause.section.isEmpty && !clause.summary.isEmpty && !clause.through.isEmpty, "\(entry.id) \(clause.kind)")
            }
        }
    }

    @Test func resolvesSPDXHubAndScanCodeSpellings() {
        #expect(kb.license("Apache-2.0")?.id == "apache-2.0")
        #expect(kb.license("MIT")?.id == "mit")
        #expect(kb.license("LicenseRef-scancode-llama-3.1-license-2024")?.id == "llama3.1")
        #expect(kb.license("bigscience-openrail-m")?.id == "openrail-m")
        #expect(kb.license("CC-BY-NC-4.0")?.id == "cc-by-nc-4.0")
    }

    @Test func knowsTheR1DistillFamilyAndTheirBases() {
        let bases = [("Qwen-1.5B", "Qwen/Qwen2.5-Math-1.5B"), ("Qwen-7B", "Qwen/Qwen2.5-Math-7B"), ("Qwen-14B", "Qwen/Qwen2.5-14B"),
                     ("Qwen-32B", "Qwen/Qwen2.5-32B"), ("Llama-8B", "meta-llama/Llama-3.1-8B"), ("Llama-70B", "meta-llama/Llama-3.3-70B-Instruct")]
        for (suffix, base) in bases {
            let m = kb.model("deepseek-ai/DeepSeek-R1-Distill-\(suffix)")
            #expect(m?.license == "mit")
            #expect(m?.parents.first { $0.role == .base }?.id == base)
            #expect(m?.parents.first { $0.role == .teacher }?.id == "deepseek-ai/DeepSeek-R1")
            #expect(kb.model(base) != nil, "base \(base) not in the knowledge base")
        }
    }

    @Test func recognisesLicenseFilesByTitle() {
        #expect(ShippedEvidence.recognise(LineageFixtures.Text.llama31, in: kb) == ["llama3.1"])
        #expect(ShippedEvidence.recognise(LineageFixtures.Text.apache, in: kb) == ["apache-2.0"])
        #expect(ShippedEvidence.recognise("Qwen RESEARCH LICENSE AGREEMENT\nRelease Date: September 19, 2024", in: kb) == ["qwen-research"])
        #expect(ShippedEvidence.recognise("Attribution-NonCommercial 4.0 International", in: kb) == ["cc-by-nc-4.0"])
    }

    @Test func explicitFolderAndEnvironmentWinOverTheBundle() throws {
        let bundled = try LicenseKnowledgeBase.bundled()
        let viaEnv = try LicenseKnowledgeBase.locate(explicit: nil, environment: ["DISTILLERY_KB": bundled.root.path])
        #expect(viaEnv.root == bundled.root)
        #expect(throws: ProvenanceError.self) { try LicenseKnowledgeBase.locate(explicit: "/nonexistent-kb") }
    }
}

/// The JSON Schema users validate against says what the Swift types read.
@Suite struct SchemaTests {
    func schema(_ name: String) throws -> [String: Any] {
        let kb = try LicenseKnowledgeBase.bundled()
        let data = try Data(contentsOf: kb.root.appendingPathComponent("schema/\(name)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func declarationKeysMatchTheSchema() throws {
        let defs = try #require(try schema("manifest-v1.schema.json")["$defs"] as? [String: Any])
        let declarations = try #require((defs["declarations"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(declarations.keys) == Set(Declarations.knownKeys))
    }

    @Test func clauseKindsMatchTheSchema() throws {
        let defs = try #require(try schema("license-v1.schema.json")["$defs"] as? [String: Any])
        let props = try #require((defs["clause"] as? [String: Any])?["properties"] as? [String: Any])
        let kinds = try #require((props["kind"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(kinds) == Set(LicenseClause.Kind.allCases.map(\.rawValue)))
    }

    @Test func aWrittenManifestHasOnlySchemaProperties() throws {
        let props = try #require(try schema("manifest-v1.schema.json")["properties"] as? [String: Any])
        var m = Manifest(name: "x", license: "mit", id: "a/x", version: "1", created: "2026-01-01T00:00:00Z")
        m.training = TrainingRecord(method: "sft")
        m.quantization = QuantizationRecord(type: "Q8_0")
        m.signature = ManifestSignature(algorithm: "ed25519", publicKey: "", value: "")
        let written = try #require(try JSONSerialization.jsonObject(with: m.encoded()) as? [String: Any])
        #expect(Set(written.keys).isSubset(of: Set(props.keys)))
    }
}
