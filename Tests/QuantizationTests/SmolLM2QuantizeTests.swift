import Foundation
import Testing
import ModelFormats
import ModelLoading
import Transformer
@testable import Quantization

/// `distillery quantize` on the real SmolLM2-135M: an F32 copy made from the Q4_1 teacher by
/// our own tool, then every type from it. The engine runs each file; llama.cpp's quantizer
/// made the same Q8_0 and Q4_0 files from the same F32 file, and the tensor hashes it
/// produced are committed (scripts/fixtures/check_llama_quantize.py → Fixtures/).
/// Model-sized: run in release (`swift test -c release -Xswiftc -enable-testing --filter QuantizationTests`).
@Suite(.serialized)
struct SmolLM2QuantizeTests {
    static let teacher = "smollm2-135m-instruct"
    static let greedyTokens = 16

    struct Case: Decodable {
        var prompt: String
        var ids: [Int32]
    }

    static func prompts() throws -> [[Int32]] {
        struct Fixture: Decodable { var cases: [Case] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../TransformerTests/Fixtures/smollm2_reference.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases.map(\.ids)
    }

    /// One folder per test process; the F32 source is made once and reused by every test.
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-quantize-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let f32Source: Result<(URL, QuantizeSummary), any Error> = Result {
        let url = directory.appendingPathComponent("smollm2-f32.gguf")
        return (url, try Quantizer.quantize(model: teacher, type: "F32", output: url))
    }

    static func greedy(_ model: LoadedModel, _ prompt: [Int32]) throws -> [Int32] {
        var sampler = Sampler(settings: .greedy)
        return try model.decoder.generate(prompt: prompt, maxTokens: greedyTokens, sampler: &sampler, stopTokens: []).tokens
    }

    static func matchingPrefix(_ a: [Int32], _ b: [Int32]) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    @Test func f32FromTheQ4_1TeacherRunsAsTheTeacherDoes() throws {
        let (url, summary) = try Self.f32Source.get()
        #expect(!summary.requantized, "dequantising to F32 loses nothing")
        #expect(summary.warnings.isEmpty, "\(summary.warnings)")
        #expect(summary.tensorTypes == ["F32": 272])
        #expect(summary.fileType == 0)
        let source = try GGUFFile(url: ModelStore().resolve(Self.teacher).url)
        let copy = try GGUFFile(url: url)
        // Every source key carried over, with the same value, in order.
        let carried = source.metadataKeys.filter { !GGUFQuantizer.rewrittenKeys.contains($0) }
        #expect(Array(copy.metadataKeys.prefix(carried.count)) == carried)
        for key in carried { #expect(copy.metadata[key] == source.metadata[key], "\(key)") }
        #expect(copy.metadata["general.quantized_by"] == .string("Distillery"))
        #expect(copy.metadata["general.source.sha256"] == .string(summary.sourceSHA256))
        #expect(copy.metadata["general.base_model.0.name"] == source.metadata["general.name"])
        #expect(copy.metadata["general.file_type"] == .uint32(0))
        #expect(copy.metadataKeys.suffix(2) == ["general.quantization_version", "general.file_type"])
        // Dequantising is exact, so the F32 copy holds the teacher's values bit for bit.
        for name in ["token_embd.weight", "blk.7.attn_q.weight", "blk.29.ffn_down.weight"] {
            let a = try #require(source.tensor(named: name)), b = try #require(copy.tensor(named: name))
            #expect(try source.dequantized(a) == copy.dequantized(b), "\(name)")
        }
        let teacher = try LoadedModel.load(Self.teacher, threads: 2)
        let f32 = try LoadedModel.load(url.path, threads: 2)
        for prompt in try Self.prompts() {
            #expect(try Self.greedy(f32, prompt) == Self.greedy(teacher, prompt))
        }
    }

    /// Quantising the Q4_1 teacher again warns (on stderr, in the CLI) and still runs close to it.
    @Test func requantisingTheTeacherWarns() throws {
        let url = Self.directory.appendingPathComponent("smollm2-requantised-Q8_0.gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = try Quantizer.quantize(model: Self.teacher, type: "Q8_0", output: url)
        #expect(summary.requantized)
        #expect(summary.warnings.first?.hasPrefix("requantising: 210 tensors of SmolLM2-135M-Instruct.Q4_1.gguf are already quantised") == true,
                "\(summary.warnings)")
        #expect(summary.tensorTypes == ["F32": 61, "Q8_0": 211])
        let teacher = try LoadedModel.load(Self.teacher, threads: 2)
        let requantised = try LoadedModel.load(url.path, threads: 2)
        for prompt in try Self.prompts() {
            #expect(Self.matchingPrefix(try Self.greedy(requantised, prompt), try Self.greedy(teacher, prompt)) >= 8)
        }
    }

    /// How many greedy tokens (of 16, per prompt) must equal the F32 model's; measured
    /// values are in docs/quantize.md. Q8_0, F16 and BF16 must agree on every token.
    static let agreement: [(String, Int)] = [("Q8_0", 16), ("F16", 16), ("BF16", 16), ("Q5_1", 4), ("Q5_0", 4), ("Q4_1", 2), ("Q4_0", 1)]

    @Test(arguments: agreement)
    func quantisedFromF32RunsCloseToF32(_ type: String, _ minimumAgreement: Int) throws {
        let (source, sourceSummary) = try Self.f32Source.get()
        let url = Self.directory.appendingPathComponent("smollm2-\(type).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = try Quantizer.quantize(model: source.path, type: type, output: url)
        #expect(!summary.requantized)
        #expect(summary.warnings.isEmpty, "\(summary.warnings)")
        let target = try QuantizationTarget(name: type)
        #expect(summary.fileType == Int(target.fileType))
        // Norms stay F32; a Q4/Q5 file's tied output head (576 columns) is Q8_0, as llama.cpp makes it.
        let file = try GGUFFile(url: url)
        #expect(file.tensors.filter { $0.shape.count == 1 }.allSatisfy { $0.type == .f32 })
        let embedding = target.isQuantized ? GGMLType.q8_0 : target.tensorType
        #expect(file.tensor(named: "token_embd.weight")?.type == embedding)
        #expect(file.tensor(named: "blk.3.ffn_up.weight")?.type == target.tensorType)
        #expect(file.metadata["general.source.sha256"] == .string(try sha256(source)))
        #expect(file.metadata["tokenizer.chat_template"] != nil)
        _ = sourceSummary

        let f32 = try LoadedModel.load(source.path, threads: 2)
        let quantised = try LoadedModel.load(url.path, threads: 2)
        var agreements: [Int] = []
        for prompt in try Self.prompts() {
            let n = Self.matchingPrefix(try Self.greedy(quantised, prompt), try Self.greedy(f32, prompt))
            agreements.append(n)
        }
        print("\(type): greedy tokens equal to F32 per prompt: \(agreements)")
        #expect(agreements.allSatisfy { $0 >= minimumAgreement }, "\(type): \(agreements)")
    }

    /// The sha256 of every tensor's bytes in the Q8_0 and Q4_0 files llama.cpp's
    /// `llama_model_quantize` made from the same F32 file.
    @Test(arguments: ["Q8_0", "Q4_0"])
    func tensorsAreByteIdenticalToLlamaCpp(_ type: String) throws {
        let (source, _) = try Self.f32Source.get()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/llama_quantize_\(type).json")
        struct Expected: Decodable { var source_sha256: String; var tensors: [String: [String]] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture))
        #expect(try sha256(source) == expected.source_sha256, "the F32 file llama.cpp quantised is the one we made")
        let url = Self.directory.appendingPathComponent("smollm2-parity-\(type).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try Quantizer.quantize(model: source.path, type: type, output: url)
        let file = try GGUFFile(url: url)
        #expect(file.tensors.count == expected.tensors.count)
        var differing: [String] = []
        for info in file.tensors {
            let ours = [info.type.description, digest(file.bytes(of: info))]
            if expected.tensors[info.name] != ours { differing.append(info.name) }
        }
        #expect(differing.isEmpty, "\(type): \(differing.count) tensors differ from llama.cpp, e.g. \(differing.prefix(3))")
    }

    /// llama.cpp (llama-cpp-python) loaded each file we write and generated greedily
    /// (scripts/fixtures/check_llama_loads.py → Fixtures/llama_greedy.json). Remaking each file
    /// gives the same bytes, and our engine picks the same tokens llama.cpp picked.
    @Test func llamaCppGreedyTokensEqualOurs() throws {
        let (source, _) = try Self.f32Source.get()
        struct Entry: Decodable { var sha256: String; var greedy: [[Int32]] }
        struct Fixture: Decodable { var prompts: [[Int32]]; var files: [String: Entry] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama_greedy.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.files.count == QuantizationTarget.allCases.count)
        for (name, entry) in fixture.files.sorted(by: { $0.key < $1.key }) {
            let type = String(name.dropFirst("ours-".count).dropLast(".gguf".count))
            let output = Self.directory.appendingPathComponent("check-\(type).gguf")
            defer { try? FileManager.default.removeItem(at: output) }
            _ = try Quantizer.quantize(model: source.path, type: type, output: output)
            #expect(try sha256(output) == entry.sha256, "\(type): the file llama.cpp read is the one we make")
            let model = try LoadedModel.load(output.path, threads: 2)
            var agreements: [Int] = []
            for (prompt, expected) in zip(fixture.prompts, entry.greedy) {
                agreements.append(Self.matchingPrefix(try Self.greedy(model, prompt), expected))
            }
            print("\(type): greedy tokens equal to llama.cpp's per prompt: \(agreements)")
            #expect(agreements.allSatisfy { $0 >= Self.llamaAgreement[type, default: Self.greedyTokens] }, "\(type): \(agreements)")
        }
    }

    /// Where llama.cpp's kernels (which quantise activations to Q8 for Q4/Q5 dot products)
    /// and ours round differently enough to flip a near-tie; every other type agrees on all 16.
    static let llamaAgreement: [String: Int] = [:]
}
