import Foundation
import Testing
@testable import Provenance

/// Distillation from Gemma: the student is a "Model Derivative" (Gemma Terms, definitions: models
/// made by distillation or on synthetic data Outputs), so §3.1 applies to it.
@Suite struct GemmaDistillationTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func student(declare: [String], files: [String: String]) throws -> URL {
        let traces = try fx.manifest("gemma-traces", license: "gemma",
                                     parents: [Parent(id: "google/gemma-2-9b", role: .teacher, relation: .distillation)], kind: .traces)
        try fx.folder("traces", manifest: traces, files: ["shard.00000.mds": "traces"])
        let m = try fx.manifest("Qwen2.5-1.5B-Gemma-Reasoner", license: "apache-2.0",
                                parents: [Parent(id: "Qwen/Qwen2.5-1.5B", role: .base, relation: .distillation, license: "apache-2.0"),
                                          Parent(id: "gemma-traces", role: .dataset, relation: .distillation, license: "gemma", path: "../traces")],
                                declare: declare)
        return try fx.folder("student", manifest: m, files: files.merging(["model.safetensors": "w"]) { $1 })
    }

    @Test func withoutRestrictionsPassedOnFails() throws {
        let report = fx.audit(try student(declare: [], files: ["LICENSE": LineageFixtures.Text.apache]))
        #expect(report.verdict == .fail)
        let f = try #require(report.findings(rule: "use-restrictions").first)
        #expect(f.severity == .fail)
        #expect(f.ancestor == "google/gemma-2-9b")
        #expect(f.section == "Gemma Terms of Use §3.1(a), §3.2")
        #expect(f.message.contains("distillation"))
        #expect(report.has(.fail, "license-copy"))  // §3.1(b): recipients get a copy of the Gemma Terms
        #expect(report.has(.fail, "notice-line"))   // §3.1(d)
        // Gemma lets derivatives carry their own terms (§3.1), so Apache-2.0 itself is not the problem.
        #expect(report.findings(rule: "declared-license").isEmpty)
    }

    @Test func withRestrictionsPassedOnPasses() throws {
        let report = fx.audit(try student(declare: ["use_restrictions_passed_on=LICENSE section 5", "modification_notice=README.md"],
                                          files: ["LICENSE": LineageFixtures.Text.apache + "\n\n" + LineageFixtures.Text.gemma,
                                                  "NOTICE": LineageFixtures.Text.gemmaNotice]))
        #expect(report.findings(rule: "use-restrictions").isEmpty)
        #expect(report.verdict == .pass, "\(report.text())")
    }
}

/// A model fine-tuned on CC-BY-NC data and released as Apache-2.0 (bioimage-io#444 in LICENSES.md §5).
@Suite struct NonCommercialDataTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func model() throws -> URL {
        let data = try fx.manifest("acme/nc-instructions", license: "cc-by-nc-4.0", kind: .dataset)
        try fx.folder("nc-data", manifest: data, files: ["train.jsonl": "{}"])
        let m = try fx.manifest("SmolLM2-135M-Helper", license: "apache-2.0",
                                parents: [Parent(id: "HuggingFaceTB/SmolLM2-135M", role: .base, relation: .finetune, license: "apache-2.0"),
                                          Parent(id: "acme/nc-instructions", role: .dataset, relation: .finetune, license: "cc-by-nc-4.0", path: "../nc-data")])
        return try fx.folder("helper", manifest: m,
                             files: ["LICENSE": LineageFixtures.Text.apache, "model.safetensors": "w",
                                     "README.md": "Fine-tuned from HuggingFaceTB/SmolLM2-135M on acme/nc-instructions.\n"])
    }

    @Test func commercialReleaseFails() throws {
        let report = fx.audit(try model(), use: .commercial)
        #expect(report.verdict == .fail)
        let f = try #require(report.findings(rule: "field-of-use").first)
        #expect(f.severity == .fail && f.ancestor == "acme/nc-instructions")
        #expect(f.section?.hasPrefix("Creative Commons Attribution-NonCommercial 4.0 International §1(i)") == true)
        #expect(f.message.contains("was trained on"))
        // Apache-2.0 grants commercial use the data does not allow: misleading to recipients.
        #expect(report.has(.warn, "declared-license"))
    }

    @Test func researchReleaseOnlyWarns() throws {
        let report = fx.audit(try model(), use: .research)
        #expect(report.verdict == .warn)
        #expect(report.has(.info, "field-of-use"))
        #expect(!report.has(.fail, "field-of-use"))
    }

    @Test func undeclaredUseWarnsAndAsks() throws {
        let report = fx.audit(try model())
        let f = try #require(report.findings(rule: "field-of-use").first)
        #expect(f.severity == .warn && f.fix.contains("intended_use"))
    }
}

/// A student of an API teacher whose terms forbid building competing models (OpenAI Terms of Use).
@Suite struct CompetingModelTermsTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func student(_ declare: [String]) throws -> URL {
        let m = try fx.manifest("SmolLM2-1.7B-Chat", license: "apache-2.0",
                                parents: [Parent(id: "HuggingFaceTB/SmolLM2-1.7B", role: .base, relation: .finetune, license: "apache-2.0"),
                                          Parent(id: "openai/gpt-4o", role: .teacher, relation: .distillation, license: "openai-terms")],
                                declare: ["teacher_access=api"] + declare)
        return try fx.folder("chat-\(declare.count)-\(declare.first ?? "")", manifest: m,
                             files: ["LICENSE": LineageFixtures.Text.apache, "model.safetensors": "w", "README.md": "From SmolLM2-1.7B."])
    }

    @Test func competingStudentFails() throws {
        let report = fx.audit(try student(["competes_with_output_provider=true", "outputs_generated_by=self"]))
        #expect(report.verdict == .fail)
        let f = try #require(report.findings(rule: "no-competing-models").first)
        #expect(f.severity == .fail && f.ancestor == "openai/gpt-4o")
        #expect(f.section?.contains("Business Terms §2(e)") == true)
        // The teacher is not in the knowledge base: its lineage stops there, which is said once.
        #expect(report.findings(rule: "dangling-parent").first?.severity == .warn)
    }

    @Test func thirdPartyOutputsWarn() throws {
        let report = fx.audit(try student(["competes_with_output_provider=true", "outputs_generated_by=third-party"]))
        #expect(report.findings(rule: "no-competing-models").first?.severity == .warn)
    }

    @Test func undeclaredWarnsAndNonCompetingIsInfo() throws {
        #expect(fx.audit(try student([])).findings(rule: "no-competing-models").first?.severity == .warn)
        #expect(fx.audit(try student(["competes_with_output_provider=false"])).findings(rule: "no-competing-models").first?.severity == .info)
    }

    @Test func termsVersionDriftWarns() throws {
        let report = fx.audit(try student(["competes_with_output_provider=false", "terms_version=2025-05-31"]))
        #expect(report.findings(rule: "terms-version").first?.message.contains("2024-01-31") == true)
    }
}

/// A merge of an Apache-2.0 parent and a research-only parent (Qwen2.5-7B + Qwen2.5-3B).
@Suite struct ResearchOnlyMergeTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    @Test func apacheDeclaredCommercialMergeFails() throws {
        let m = try fx.manifest("Qwen2.5-Merge", license: "apache-2.0",
                                parents: [Parent(id: "Qwen/Qwen2.5-7B", role: .base, relation: .merge, license: "apache-2.0"),
                                          Parent(id: "Qwen/Qwen2.5-3B", role: .base, relation: .merge, license: "qwen-research")])
        let dir = try fx.folder("merge", manifest: m, files: ["model.safetensors": "w"])
        let report = fx.audit(dir, use: .commercial)
        #expect(report.verdict == .fail)
        let declared = try #require(report.findings(rule: "declared-license").first { $0.severity == .fail })
        #expect(declared.ancestor == "Qwen/Qwen2.5-3B" && declared.fix.contains("qwen-research"))
        let use = try #require(report.findings(rule: "field-of-use").first)
        #expect(use.severity == .fail && use.ancestor == "Qwen/Qwen2.5-3B")
        #expect(report.findings(rule: "attribution").first?.message.contains("Built with Qwen") == true)  // §4b
    }

    @Test func mergingTwoNonRelicensableFamiliesIsIncompatible() throws {
        let m = try fx.manifest("Frankenmerge", license: "llama3.1",
                                parents: [Parent(id: "meta-llama/Llama-3.1-8B", role: .base, relation: .merge),
                                          Parent(id: "Qwen/Qwen2.5-3B", role: .base, relation: .merge)])
        let report = fx.audit(try fx.folder("franken", manifest: m, files: ["model.safetensors": "w"]), use: .research)
        #expect(report.has(.fail, "incompatible-ancestors"))
    }
}

/// Llama 2 §1.b.v / Tongyi §5b: outputs may not improve another LLM, except the same family.
@Suite struct NoImproveOtherModelsTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    @Test func llama2TeacherForAQwenStudentFails() throws {
        let m = try fx.manifest("Qwen-Student", license: "apache-2.0",
                                parents: [Parent(id: "Qwen/Qwen2.5-0.5B", role: .base, relation: .distillation),
                                          Parent(id: "meta-llama/Llama-2-7b-hf", role: .teacher, relation: .distillation)])
        let report = fx.audit(try fx.folder("s", manifest: m, files: ["LICENSE": LineageFixtures.Text.apache]))
        let f = try #require(report.findings(rule: "no-improve-other-models").first)
        #expect(f.severity == .fail && f.section == "Llama 2 Community License Agreement §1.b.v")
    }

    @Test func llama2DerivativeIsExempt() throws {
        let m = try fx.manifest("Llama-2-Student", license: "llama2",
                                parents: [Parent(id: "meta-llama/Llama-2-7b-hf", role: .base, relation: .distillation)])
        let report = fx.audit(try fx.folder("s2", manifest: m))
        #expect(report.findings(rule: "no-improve-other-models").isEmpty)
    }

    @Test func userThresholdAtBaseReleaseDate() throws {
        let m = try fx.manifest("Llama-3.1-Big", license: "llama3.1",
                                parents: [Parent(id: "meta-llama/Llama-3.1-8B", role: .base, relation: .finetune)],
                                declare: ["licensee_mau_at_base_release=800_000_000"])
        let report = fx.audit(try fx.folder("big", manifest: m))
        let f = try #require(report.findings(rule: "user-threshold").first)
        #expect(f.severity == .fail && f.message.contains("700,000,000") && f.message.contains("2024-07-23"))
    }

    @Test func llama32VisionInTheEUFails() throws {
        let m = try fx.manifest("Llama-3.2-11B-Vision-Tuned", license: "llama3.2",
                                parents: [Parent(id: "meta-llama/Llama-3.2-11B-Vision", role: .base, relation: .finetune)],
                                declare: ["licensee_domicile=DE"])
        let report = fx.audit(try fx.folder("vision", manifest: m))
        #expect(report.has(.fail, "domicile"))
    }
}

/// Teachers whose terms reach the student through its outputs: DeepSeek-V3's original agreement
/// (§4a, "Derivatives" include distillation) versus V3-0324's MIT, and Mistral's research license
/// (§4.2: Outputs are research-only too). ShareAlike data is flagged, not failed: unsettled.
@Suite struct TeacherTermsTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func student(teacher: String, data: Parent? = nil, name: String) throws -> URL {
        let m = try fx.manifest(name, license: "apache-2.0",
                                parents: [Parent(id: "Qwen/Qwen2.5-7B", role: .base, relation: .distillation),
                                          Parent(id: teacher, role: .teacher, relation: .distillation)] + (data.map { [$0] } ?? []))
        return try fx.folder(name, manifest: m, files: ["LICENSE": LineageFixtures.Text.apache, "README.md": "Distilled onto Qwen/Qwen2.5-7B."])
    }

    @Test func deepSeekV3AgreementMustBePassedOnButV3_0324IsMIT() throws {
        let v3 = fx.audit(try student(teacher: "deepseek-ai/DeepSeek-V3", name: "v3-student"))
        let f = try #require(v3.findings(rule: "use-restrictions").first)
        #expect(f.severity == .fail && f.section == "DEEPSEEK LICENSE AGREEMENT §4a, Attachment A")
        let v3_0324 = fx.audit(try student(teacher: "deepseek-ai/DeepSeek-V3-0324", name: "v3-0324-student"))
        #expect(v3_0324.findings(rule: "use-restrictions").isEmpty)
        #expect(v3_0324.verdict != .fail)
    }

    @Test func mistralResearchTeacherBindsTheStudentsUse() throws {
        let report = fx.audit(try student(teacher: "mistralai/Mistral-Large-Instruct-2407", name: "mrl-student"), use: .commercial)
        let f = try #require(report.findings(rule: "field-of-use").first)
        #expect(f.severity == .fail && f.message.contains("learned from the outputs of"))
        #expect(f.section == "Mistral AI Research License §3.2, §4.2, §4.3")
    }

    @Test func shareAlikeDataIsAWarning() throws {
        let data = Parent(id: "wikimedia/wikipedia", role: .dataset, relation: .finetune, license: "cc-by-sa-4.0")
        let report = fx.audit(try student(teacher: "deepseek-ai/DeepSeek-R1", data: data, name: "sa-student"))
        #expect(report.findings(rule: "share-alike").first?.severity == .warn)
        #expect(report.findings(rule: "dataset-attribution").first?.severity == .warn)
    }
}
