import Foundation
import Pipeline
import Testing

@Suite("Pipeline file")
struct PipelineSpecTests {
    let folder = URL(fileURLWithPath: "/tmp/pipeline-spec-tests")

    func parse(_ yaml: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml, path: "p.yaml", baseFolder: folder)
    }

    static let minimal = """
        name: Demo
        license: apache-2.0
        output: out
        prompts: prompts.jsonl
        teacher:
          model: smollm2-135m-instruct
        student:
          keep_every: 3
        """

    @Test("the built-in default parses, with its prompt set beside it")
    func builtIn() throws {
        let spec = try BuiltInPipeline.load()
        #expect(spec.student.keepEvery == 3)
        #expect(spec.quantize.types == ["Q8_0", "Q4_K_M"])
        #expect(spec.teacher.model == "smollm2-135m-instruct")
        let prompts = try String(contentsOfFile: spec.prompts, encoding: .utf8)
        #expect(prompts.split(separator: "\n").count >= 300)
    }

    @Test("defaults fill what the file leaves out; input paths are taken from the file's folder")
    func defaultsAndPaths() throws {
        let spec = try parse(Self.minimal)
        #expect(spec.prompts == "/tmp/pipeline-spec-tests/prompts.jsonl")
        #expect(spec.teacher.model == "smollm2-135m-instruct", "a cache name is not a path")
        #expect(spec.output == "out", "the output stays relative to the current directory")
        #expect(spec.generate.maxTokens == 1024)
        #expect(spec.train.lr == 1e-4)
        #expect(spec.quantize.types == ["Q8_0", "Q4_K_M"])
    }

    @Test("a misspelt key is an error that names it and lists the right ones")
    func unknownKey() throws {
        let error = #expect(throws: PipelineError.self) { try parse(Self.minimal + "\ntrain:\n  learning_rate: 0.001\n") }
        let text = "\(error.map { $0 } as Any)"
        #expect(text.contains("train.learning_rate"))
        #expect(text.contains("lr"))
    }

    @Test("wrong types, missing keys and contradictions are named")
    func invalid() throws {
        func message(_ yaml: String) -> String {
            do { _ = try parse(yaml); return "" } catch { return "\(error)" }
        }
        #expect(message(Self.minimal.replacingOccurrences(of: "keep_every: 3", with: "keep_every: three")).contains("student.keep_every"))
        #expect(message(Self.minimal.replacingOccurrences(of: "name: Demo\n", with: "")).contains("name is missing"))
        #expect(message(Self.minimal + "\n  pretrained: x.gguf\n").contains("exactly one"))
        #expect(message(Self.minimal + "\ntrain:\n  kd_weight: 0.5\n").contains("generate.logprobs"))
        #expect(message(Self.minimal + "\nquantize:\n  types: [Q8_0, Q3_X]\n").contains("Q3_X"))
        #expect(message(Self.minimal + "\ndeclarations:\n  intended_use: sometimes\n").contains("intended_use"))
        #expect(message(Self.minimal.replacingOccurrences(of: "model: smollm2-135m-instruct",
                                                           with: "model: deepseek-chat\n  endpoint: ftp://x")).contains("teacher.endpoint"))
        #expect(message(Self.minimal.replacingOccurrences(of: "model: smollm2-135m-instruct",
                                                           with: "model: deepseek-chat\n  endpoint: https://api.deepseek.com/v1")).contains("prune a local teacher"))
        #expect(message(Self.minimal.replacingOccurrences(of: "name: Demo", with: "name: ../escape")).contains("not a model name"))
        #expect(message(Self.minimal.replacingOccurrences(of: "name: Demo", with: "name: org/Demo")).contains("org/ prefix"))
        #expect(message("- just\n- a list\n").contains("mapping"))
        #expect(message("name: [unclosed\n").contains("YAML"))
    }
}
