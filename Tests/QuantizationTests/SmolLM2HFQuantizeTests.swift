import Foundation
import Testing
import ModelFormats
import ModelLoading
import Transformer
@testable import Quantization

/// `distillery quantize HF_FOLDER` on a real SmolLM2-135M folder (`SmolLM2HFFolder`, made
/// from the Q4_1 teacher): the F32 file must hold the teacher's tensors, in the converter's
/// order, with the keys llama.cpp reads equal to the teacher's (which llama.cpp's converter
/// wrote); our engine must pick the teacher's greedy tokens; the Q8_0 file must be byte for
/// byte what llama.cpp's quantizer made from the F32 GGUF. Model-sized: run in release.
@Suite(.serialized)
struct SmolLM2HFQuantizeTests {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-hf-quantize-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let teacher: Result<GGUFFile, any Error> = Result {
        try GGUFFile(url: ModelStore().resolve(SmolLM2QuantizeTests.teacher).url)
    }

    static let folder: Result<URL, any Error> = Result {
        let url = directory.appendingPathComponent("SmolLM2-135M-Instruct")
        try SmolLM2HFFolder.make(from: teacher.get(), in: url)
        return url
    }

    static let f32: Result<(URL, QuantizeSummary), any Error> = Result {
        let url = directory.appendingPathComponent("from-hf-F32.gguf")
        return (url, try Quantizer.quantize(model: folder.get().path, type: "F32", output: url))
    }

    /// The folder itself runs as the teacher: the test fixture is a faithful HF checkpoint.
    @Test func theFolderRunsAsTheTeacher() throws {
        let hf = try LoadedModel.load(Self.folder.get().path, threads: 2)
        let teacher = try LoadedModel.load(SmolLM2QuantizeTests.teacher, threads: 2)
        for prompt in try SmolLM2QuantizeTests.prompts() {
            #expect(try SmolLM2QuantizeTests.greedy(hf, prompt) == SmolLM2QuantizeTests.greedy(teacher, prompt))
        }
    }

    @Test func f32FromTheFolderHoldsTheTeachersTensorsAndKeys() throws {
        let (url, summary) = try Self.f32.get()
        let teacher = try Self.teacher.get(), folder = try Self.folder.get()
        #expect(summary.tensorTypes == ["F32": 272] && summary.warnings.isEmpty && !summary.requantized)
        #expect(summary.sourceSHA256 == (try sha256(folder.appendingPathComponent("model.safetensors"))))
        let file = try GGUFFile(url: url)
        // Same names in the same order (the converter's: HF names sorted), same shapes, values
        // bit for bit: dequantising the teacher and widening to F32 are both exact.
        #expect(file.tensors.map(\.name) == teacher.tensors.map(\.name))
        var differing: [String] = []
        for (ours, theirs) in zip(file.tensors, teacher.tensors) {
            let equal = try ours.shape == theirs.shape && file.dequantized(ours) == teacher.dequantized(theirs)
            if !equal { differing.append(ours.name) }
        }
        #expect(differing.isEmpty, "\(differing.count) tensors differ, e.g. \(differing.prefix(3))")

        // Every hyper-parameter and tokenizer key the converter wrote into the teacher, equal
        // in type and value (tokens, token types, merges, special ids, add_bos, chat template).
        // `add_space_prefix` is an older converter's key for SentencePiece; gpt2 ignores it.
        let keys = teacher.metadataKeys.filter { ($0.hasPrefix("llama.") || $0.hasPrefix("tokenizer.")) && $0 != "tokenizer.ggml.add_space_prefix" }
            + ["general.architecture", "general.type", "general.license", "general.languages"]
        #expect(keys.count == 25)
        for key in keys {
            #expect(file.metadata[key] == teacher.metadata[key], "\(key): \(String(describing: file.metadata[key]).prefix(120))")
        }
        #expect(file.metadata["tokenizer.ggml.add_eos_token"] == .bool(false))
        #expect(file.metadata["general.name"] == .string("SmolLM2-135M-Instruct"))
        #expect(file.metadata["general.base_model.0.name"] == .string("SmolLM2-135M-Instruct"))
        #expect(file.metadata["general.source.sha256"] == .string(summary.sourceSHA256))

        let teacherModel = try LoadedModel.load(SmolLM2QuantizeTests.teacher, threads: 2)
        let converted = try LoadedModel.load(url.path, threads: 2)
        for prompt in try SmolLM2QuantizeTests.prompts() {
            #expect(try SmolLM2QuantizeTests.greedy(converted, prompt) == SmolLM2QuantizeTests.greedy(teacherModel, prompt))
        }
    }

    /// Converting and quantising in one step gives the tensors llama.cpp's quantizer made from
    /// the F32 GGUF of the same weights (Fixtures/llama_quantize_Q8_0.json), byte for byte.
    @Test func q8_0FromTheFolderIsByteIdenticalToLlamaCpp() throws {
        let url = Self.directory.appendingPathComponent("from-hf-Q8_0.gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = try Quantizer.quantize(model: Self.folder.get().path, type: "Q8_0", output: url)
        #expect(summary.tensorTypes == ["F32": 61, "Q8_0": 211])
        struct Expected: Decodable { var tensors: [String: [String]] }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama_quantize_Q8_0.json")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture))
        let file = try GGUFFile(url: url)
        #expect(file.tensors.count == expected.tensors.count)
        let differing = file.tensors.filter { expected.tensors[$0.name] != [$0.type.description, digest(file.bytes(of: $0))] }
        #expect(differing.isEmpty, "\(differing.count) tensors differ from llama.cpp's, e.g. \(differing.prefix(3).map(\.name))")
        // The tokenizer read back from the keys we wrote tokenises as the teacher's does.
        let model = try LoadedModel.load(url.path, threads: 2)
        let teacher = try LoadedModel.load(SmolLM2QuantizeTests.teacher, threads: 2)
        let text = "<|im_start|>user\nWhat is 12345 × 678? Ça va?<|im_end|>\n"
        #expect(model.encode(text) == teacher.encode(text))
        #expect(model.chatTemplateSource == teacher.chatTemplateSource)
    }
}
