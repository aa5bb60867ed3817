import Foundation
import Testing
@testable import Provenance

@Suite struct ModelCardTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func distilledLlama() throws -> URL {
        var m = try fx.manifest("Llama-3.1-8B-R1-Tutor", license: "llama3.1",
                                parents: [Parent(id: "meta-llama/Llama-3.1-8B", role: .base, relation: .distillation),
                                          Parent(id: "deepseek-ai/DeepSeek-R1", role: .teacher, relation: .distillation, license: "mit"),
                                          Parent(id: "open-r1/OpenR1-Math-220k", role: .dataset, relation: .distillation, license: "apache-2.0")])
        m.id = "acme/Llama-3.1-8B-R1-Tutor"
        m.training = TrainingRecord(method: "sft", settings: ["epochs": "2"], figures: ["final_loss": 0.61])
        m.quantization = QuantizationRecord(type: "Q4_K_M", bitsPerWeight: 4.85, calibrationData: "wikitext-2", tool: "distillery 0.1.0")
        return try fx.folder("tutor-card", manifest: m, files: ["LICENSE": LineageFixtures.Text.llama31],
                             binary: ["model.gguf": LineageFixtures.gguf([("general.name", "Llama-3.1-8B-R1-Tutor"), ("general.license", "llama3.1")])])
    }

    @Test func frontMatterIsWhatTheHubReads() throws {
        let dir = try distilledLlama()
        let text = try ModelCard.render(for: dir, knowledgeBase: fx.kb)
        let card = try ModelCardMetadata(markdown: text)
        #expect(card.license == "llama3.1")
        #expect(card.baseModels == ["meta-llama/Llama-3.1-8B"])
        #expect(card.baseModelRelation == "finetune")  // the Hub has no distillation relation
        #expect(card.datasets == ["open-r1/OpenR1-Math-220k"])
        #expect(text.contains("pipeline_tag: text-generation") && text.contains("- distillation") && text.contains("- gguf"))
        #expect(text.contains("Outputs of teacher `deepseek-ai/DeepSeek-R1`"))
        #expect(text.contains("| Q4_K_M | 4.85 | wikitext-2 | distillery 0.1.0 |"))
        #expect(text.contains("└─ open-r1/OpenR1-Math-220k [dataset, distillation, apache-2.0]"))
    }

    @Test func otherLicensesUseLicenseNameAndLink() throws {
        let m = try fx.manifest("Qwen2.5-3B-Tuned", license: "qwen-research",
                                parents: [Parent(id: "Qwen/Qwen2.5-3B", role: .base, relation: .finetune)])
        let text = try ModelCard.render(for: try fx.folder("qr", manifest: m), knowledgeBase: fx.kb)
        let card = try ModelCardMetadata(markdown: text)
        #expect(card.license == "other" && card.licenseName == "qwen-research")
        #expect(card.licenseLink == "https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE")
    }

    /// The card carries the attributions, so after `card` the audit's attribution warnings are gone.
    @Test func writtenCardDischargesTheAttributionObligations() throws {
        let dir = try distilledLlama()
        let before = fx.audit(dir, use: .commercial)
        #expect(before.has(.warn, "attribution") && before.has(.fail, "notice-line") && before.has(.warn, "acceptable-use-policy"))
        try ModelCard.write(for: dir, knowledgeBase: fx.kb)
        let after = fx.audit(dir, use: .commercial)
        for rule in ["attribution", "notice-line", "acceptable-use-policy", "change-notice", "card-license", "card-base-model"] {
            #expect(after.findings(rule: rule).isEmpty, "\(rule)")
        }
        #expect(after.verdict == .warn)  // left: the dataset is not in the knowledge base (a true warning)
        #expect(after.findings.filter { $0.severity == .warn }.map(\.rule) == ["dangling-parent"])
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("Built with Llama"))
    }

    @Test func cycloneDXCarriesLineageLicensesAndHashes() throws {
        let dir = try distilledLlama()
        let data = try CycloneDXExport.bom(for: dir, knowledgeBase: fx.kb)
        let bom = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(bom["bomFormat"] as? String == "CycloneDX" && bom["specVersion"] as? String == "1.6")
        #expect((bom["serialNumber"] as? String)?.hasPrefix("urn:uuid:") == true)
        let root = try #require((bom["metadata"] as? [String: Any])?["component"] as? [String: Any])
        #expect(root["type"] as? String == "machine-learning-model")
        let ancestors = try #require((root["pedigree"] as? [String: Any])?["ancestors"] as? [[String: Any]])
        #expect(ancestors.compactMap { $0["name"] as? String }.contains("meta-llama/Llama-3.1-8B"))
        let files = try #require(root["components"] as? [[String: Any]])
        #expect(files.contains { ($0["hashes"] as? [[String: String]])?.first?["alg"] == "SHA-256" })
        let components = try #require(bom["components"] as? [[String: Any]])
        let llama = try #require(components.first { $0["name"] as? String == "meta-llama/Llama-3.1-8B" })
        let license = (llama["licenses"] as? [[String: [String: String]]])?.first?["license"]
        #expect(license?["name"] == "Llama 3.1 Community License Agreement")  // not an SPDX id
        // Same manifest, same bytes.
        #expect(try CycloneDXExport.bom(for: dir, knowledgeBase: fx.kb) == data)
    }

    @Test func reportFormatsCarryTheIssueFields() throws {
        let report = fx.audit(try distilledLlama())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(["pass", "warn", "fail"].contains(json["verdict"] as? String))
        let first = try #require((json["findings"] as? [[String: Any]])?.first)
        for key in ["severity", "rule", "ancestor", "message", "fix"] { #expect(first[key] != nil, "\(key)") }
        let all = try #require(json["findings"] as? [[String: Any]])
        #expect(all.allSatisfy { $0.keys.contains("ancestor") })  // null, not absent, when no ancestor imposes it
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(report.sarif().utf8)) as? [String: Any])
        #expect(sarif["version"] as? String == "2.1.0")
        #expect(report.text().contains("verdict: "))
    }
}
