import Foundation
import Pipeline
import Provenance
import Testing

/// `distill --plan` on the shipped examples: the audit of the planned lineage shows a
/// Llama-based derivative's obligations before anything is downloaded or run.
@Suite("Pipeline plan")
struct PipelinePlanTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples").standardizedFileURL

    func plan(_ file: String, edit: (inout PipelineSpec) -> Void = { _ in }) throws -> PipelinePlan {
        var spec = try PipelineSpec.load(from: Self.examples.appendingPathComponent(file))
        spec.output = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path
        edit(&spec)
        return try PipelineRun(spec: spec, knowledgeBase: try LicenseKnowledgeBase.bundled()).plan()
    }

    @Test("a Llama student shows its license obligations: license copies, attribution, naming")
    func llamaObligations() throws {
        let plan = try plan("llama-student.yaml")
        let rules = Set(plan.audit.findings.map(\.rule))
        // The license texts the file ships are not downloaded yet: the copies are missing.
        #expect(plan.missingShippedFiles.map { URL(fileURLWithPath: $0).lastPathComponent } == ["LICENSE-llama3.2.txt", "USE_POLICY.md"])
        let copies = plan.audit.findings.filter { $0.rule == "license-copy" }
        #expect(copies.contains { $0.severity == .fail && ($0.section ?? "").contains("Llama 3.2") })
        #expect(!rules.contains("name-prefix"), "its name begins with Llama")
        #expect(!rules.contains("attribution"), "the card the pipeline writes says Built with Llama")
        #expect(plan.audit.verdict == .fail)
        #expect(plan.stages.first?.problem?.contains("Meta-Llama-3.1-8B-Instruct") == true, "the teacher file is not here")
        #expect(plan.text().contains("license-copy"))

        // The same pipeline under another name breaks the naming rule.
        let renamed = try self.plan("llama-student.yaml") { $0.name = "Tutor-1B"; $0.id = "your-org/Tutor-1B" }
        let naming = renamed.audit.findings.filter { $0.rule == "name-prefix" && $0.message.contains("'Tutor-1B'") }
        // Both Llama licenses impose it: 3.2 through the base's weights, 3.1 through the teacher's outputs.
        #expect(Set(naming.compactMap(\.ancestor)) == ["meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.1-8B-Instruct"])
        #expect(naming.allSatisfy { $0.severity == .fail })
    }

    @Test("the default plans to run every stage and its planned lineage passes the audit")
    func defaultPlan() throws {
        let plan = try plan("default.yaml")
        #expect(plan.stages.map(\.name) == ["generate", "train", "quantize", "provenance"])
        #expect(plan.stages.first?.action == .run && plan.stages.first?.problem == nil)
        #expect(plan.audit.verdict == .pass, "\(plan.audit.text())")
    }

    @Test("the endpoint example reads its key from the environment and records the teacher")
    func endpointPlan() throws {
        let plan = try plan("deepseek-endpoint.yaml")
        #expect(plan.audit.verdict != .fail, "\(plan.audit.text())")
        let spec = try PipelineSpec.load(from: Self.examples.appendingPathComponent("deepseek-endpoint.yaml"))
        #expect(spec.teacher.isEndpoint && spec.teacher.apiKeyEnv == "DEEPSEEK_API_KEY")
    }
}
