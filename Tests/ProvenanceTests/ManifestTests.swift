import Foundation
import Testing
@testable import Provenance

@Suite struct ManifestTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    @Test func roundTripsAndWritesAtomically() throws {
        var m = Manifest(name: "Llama-3.1-8B-Tutor", license: "llama3.1", version: "1.0", created: "2026-11-22T09:00:00Z")
        try m.addParent(Parent(id: "meta-llama/Llama-3.1-8B", role: .base, relation: .finetune, license: "llama3.1", revision: "d04e592"))
        try m.addParent(Parent(id: "traces", role: .dataset, relation: .distillation, path: "../traces"))
        m.training = TrainingRecord(method: "sft", settings: ["epochs": "2"], figures: ["final_loss": 0.61])
        m.quantization = QuantizationRecord(type: "Q4_K_M", bitsPerWeight: 4.85)
        try m.declare(assignment: "licensee_mau_current=1_000")
        try m.declare(assignment: "distributed=true")
        let dir = try fx.folder("rt", files: ["model.gguf": "x"])
        try m.recordFiles(in: dir)
        try m.write(to: dir)
        let back = try Manifest.load(from: dir)
        #expect(back == m)
        #expect(back.files.map(\.path) == ["model.gguf"])
        #expect(back.declarations.licenseeMAUCurrent == 1000)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!listing.contains { $0.contains(".tmp-") })
        // snake_case on disk, as the JSON Schema says.
        let text = try String(contentsOf: dir.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(text.contains("\"schema_version\" : 1") && text.contains("\"bits_per_weight\"") && text.contains("\"licensee_mau_current\""))
    }

    @Test func unknownDeclarationKeyListsTheKnownOnes() {
        var m = Manifest(name: "x", license: "mit")
        do {
            try m.declare(assignment: "commercial=true")
            Issue.record("expected an error")
        } catch {
            #expect(error == .unknownDeclaration(key: "commercial", known: Declarations.knownKeys))
            #expect(error.description.contains("intended_use") && error.description.contains("competes_with_output_provider"))
        }
    }

    @Test func declarationValuesAreTyped() {
        var m = Manifest(name: "x", license: "mit")
        #expect(throws: ProvenanceError.invalidDeclaration(key: "distributed", value: "maybe", expected: "true or false")) {
            try m.declare(assignment: "distributed=maybe")
        }
        #expect(throws: ProvenanceError.self) { try m.declare(assignment: "intended_use=profit") }
        #expect(throws: ProvenanceError.self) { try m.declare(assignment: "licensee_mau_current=-3") }
        #expect(throws: ProvenanceError.self) { try m.declare(assignment: "no-equals-sign") }
        #expect(Declarations.knownKeys.count == 15)
    }

    @Test func duplicateParentAndBadHashAreRefused() throws {
        var m = Manifest(name: "x", license: "mit")
        try m.addParent(Parent(id: "a/b", role: .base, relation: .finetune))
        #expect(throws: ProvenanceError.duplicateParent(id: "a/b")) { try m.addParent(Parent(id: "a/b", role: .base, relation: .pruned)) }
        // A student pruned from its teacher: the same model is its base and its teacher.
        try m.addParent(Parent(id: "a/b", role: .teacher, relation: .distillation))
        #expect(m.parents.map(\.role) == [.base, .teacher])
        #expect(throws: ProvenanceError.self) { try m.addParent(Parent(id: "c/d", role: .base, relation: .finetune, sha256: "XYZ")) }
    }

    @Test func modelNameIsTheRepoPart() {
        var m = Manifest(name: "Tutor", license: "mit")
        m.id = "acme/Llama-3.1-Tutor"
        #expect(m.modelName == "Llama-3.1-Tutor")
    }
}
