import Foundation
import Testing
import ModelFormats
import ModelLoading
@testable import Quantization

/// The pure K types on a model whose rows fit their 256-value blocks (`NarrowModel`: SmolLM2
/// sliced to width 256). SmolLM2 itself (576 wide) refuses them, which `QuantizeErrorTests`
/// shows. llama.cpp loaded each file and generated greedily
/// (scripts/fixtures/check_llama_loads.py → Fixtures/llama_greedy_narrow.json).
/// Model-sized: run in release.
@Suite(.serialized)
struct NarrowModelQuantizeTests {
    static let layers = 4
    /// Set DISTILLERY_KEEP_TEST_FILES=1 to keep the quantised files for the llama.cpp script.
    static let keepFiles = ProcessInfo.processInfo.environment["DISTILLERY_KEEP_TEST_FILES"] != nil

    static let f32Source: Result<URL, any Error> = Result {
        let (smolLM2, _) = try SmolLM2QuantizeTests.f32Source.get()
        let url = SmolLM2QuantizeTests.directory.appendingPathComponent("narrow-F32.gguf")
        try NarrowModel.write(from: smolLM2, layers: layers, to: url)
        return url
    }

    /// Teacher-forced logit gap to the F32 narrow model's greedy tokens, and to llama.cpp's
    /// on the same file, that each type stays within (measured values in docs/quantize.md).
    static let allowedGap: [String: (f32: Float, llama: Float)] = [
        "Q2_K": (8, 1), "Q3_K": (4, 1), "Q4_K": (2, 0.5), "Q5_K": (1, 0.5), "Q6_K": (0.5, 0.5),
        "Q4_K_M": (2, 0.5), "Q5_K_M": (1, 0.5),
    ]

    @Test func pureKTypesAreWrittenRunAndAgreeWithLlamaCpp() throws {
        let source = try Self.f32Source.get()
        struct Entry: Decodable { var sha256: String; var greedy: [[Int32]] }
        struct Fixture: Decodable { var prompts: [[Int32]]; var files: [String: Entry] }
        let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama_greedy_narrow.json")
        // Read after the files are made, so a missing fixture still leaves them for the script.
        let fixture = Result { try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL)) }
        let f32 = try LoadedModel.load(source.path, threads: 2)

        var made: [(type: String, url: URL, model: LoadedModel)] = []
        for type in Self.allowedGap.keys.sorted() {
            let url = SmolLM2QuantizeTests.directory.appendingPathComponent("narrow-\(type).gguf")
            let summary = try Quantizer.quantize(model: source.path, type: type, output: url)
            #expect(summary.notes.isEmpty, "rows of 256 and 1536 need no fallback: \(summary.notes)")
            let file = try GGUFFile(url: url)
            let target = try QuantizationTarget(name: type)
            // The tied head takes Q6_K; everything 2-D else the type asked for (or Q6_K in a mix).
            #expect(file.tensor(named: "token_embd.weight")?.type == .q6_K)
            #expect(file.tensor(named: "blk.3.ffn_up.weight")?.type == target.tensorType)
            #expect(file.tensors.filter { $0.shape.count == 1 }.allSatisfy { $0.type == .f32 })

            let model = try LoadedModel.load(url.path, threads: 2)
            var worst: Float = 0
            for prompt in try SmolLM2QuantizeTests.prompts() {
                let reference = try SmolLM2QuantizeTests.greedy(f32, prompt)
                worst = max(worst, try SmolLM2QuantizeTests.logitGaps(model, prompt: prompt, expected: reference).max() ?? 0)
            }
            print("narrow \(type): largest logit gap to F32's greedy token \(worst)")
            #expect(worst <= (Self.allowedGap[type]?.f32 ?? 0), "\(type): gap to F32 \(worst)")
            made.append((type, url, model))
        }
        defer { if !Self.keepFiles { for file in made { try? FileManager.default.removeItem(at: file.url) } } }

        let llama = try fixture.get()
        #expect(llama.files["narrow-F32.gguf"]?.sha256 == (try sha256(source)), "the F32 file llama.cpp read is the one we make")
        for (type, url, model) in made {
            let entry = try #require(llama.files["narrow-\(type).gguf"], "\(type) missing from the llama.cpp fixture")
            #expect(try sha256(url) == entry.sha256, "\(type): the file llama.cpp read is the one we make")
            var worst: Float = 0
            var agreements: [Int] = []
            for (prompt, expected) in zip(llama.prompts, entry.greedy) {
                agreements.append(SmolLM2QuantizeTests.matchingPrefix(try SmolLM2QuantizeTests.greedy(model, prompt), expected))
                worst = max(worst, try SmolLM2QuantizeTests.logitGaps(model, prompt: prompt, expected: expected).max() ?? 0)
            }
            print("narrow \(type): greedy tokens equal to llama.cpp's per prompt \(agreements); largest logit gap to llama.cpp's token \(worst)")
            #expect(worst <= (Self.allowedGap[type]?.llama ?? 0), "\(type): gap to llama.cpp \(worst)")
        }
    }
}
