import Foundation
import Testing
@testable import ModelFormats

@Suite struct HFModelConfigTests {
    /// SmolLM2-135M-Instruct's config.json (Hugging Face Hub), abridged to the fields we read plus a few others.
    static let smolLM2 = """
    {"architectures":["LlamaForCausalLM"],"attention_bias":false,"bos_token_id":1,"eos_token_id":2,
     "hidden_act":"silu","hidden_size":576,"initializer_range":0.041666666666666664,"intermediate_size":1536,
     "max_position_embeddings":8192,"model_type":"llama","num_attention_heads":9,"num_hidden_layers":30,
     "num_key_value_heads":3,"pretraining_tp":1,"rms_norm_eps":1e-05,"rope_scaling":null,"rope_theta":100000,
     "tie_word_embeddings":true,"torch_dtype":"bfloat16","transformers_version":"4.42.3","use_cache":true,"vocab_size":49152}
    """

    @Test func readsSmolLM2() throws {
        let config = try HFModelConfig(json: Data(Self.smolLM2.utf8))
        #expect(config.architecture == .llama)
        #expect(config.hiddenSize == 576 && config.intermediateSize == 1536 && config.numHiddenLayers == 30)
        #expect(config.numAttentionHeads == 9 && config.numKeyValueHeads == 3 && config.headDim == 64)
        #expect(config.rmsNormEps == 1e-5 && config.ropeTheta == 100000 && config.ropeScaling == nil)
        #expect(config.maxPositionEmbeddings == 8192 && config.vocabSize == 49152)
        #expect(config.tieWordEmbeddings && !config.hasQKVBias && !config.hasOutputBias)
        #expect(config.bosTokenIds == [1] && config.eosTokenIds == [2])
        #expect(config.slidingWindow == nil && config.torchDtype == "bfloat16")
    }

    @Test func readsQwen2Defaults() throws {
        let json = """
        {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,"intermediate_size":4864,
         "num_hidden_layers":24,"num_attention_heads":14,"num_key_value_heads":2,"rms_norm_eps":1e-06,
         "rope_theta":1000000.0,"sliding_window":32768,"use_sliding_window":false,"vocab_size":151936,
         "bos_token_id":151643,"eos_token_id":[151645,151643],"max_position_embeddings":32768,"tie_word_embeddings":true}
        """
        let config = try HFModelConfig(json: Data(json.utf8))
        #expect(config.architecture == .qwen2)
        #expect(config.hasQKVBias && !config.hasOutputBias)   // qwen2: q/k/v bias with no attention_bias key
        #expect(config.headDim == 64)
        #expect(config.eosTokenIds == [151645, 151643])
        #expect(config.slidingWindow == nil)                  // present but disabled
    }

    @Test func appliesDefaults() throws {
        let json = #"{"model_type":"mistral","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":100,"sliding_window":4096}"#
        let config = try HFModelConfig(json: Data(json.utf8))
        #expect(config.numKeyValueHeads == 4 && config.headDim == 16)
        #expect(config.rmsNormEps == 1e-6 && config.ropeTheta == 10000 && !config.tieWordEmbeddings)
        #expect(config.slidingWindow == 4096 && config.bosTokenIds.isEmpty)
    }

    @Test func readsLlama3RopeScalingInBothSpellings() throws {
        let v4 = """
        {"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,
         "head_dim":32,"vocab_size":100,"rope_theta":500000.0,"max_position_embeddings":131072,
         "rope_scaling":{"rope_type":"llama3","factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}
        """
        let v5 = """
        {"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,
         "head_dim":32,"vocab_size":100,"max_position_embeddings":131072,
         "rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}
        """
        let a = try HFModelConfig(json: Data(v4.utf8))
        let b = try HFModelConfig(json: Data(v5.utf8))
        #expect(a == b)
        #expect(a.headDim == 32 && a.ropeTheta == 500000)
        #expect(a.ropeScaling == .init(factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
    }

    @Test func rejectsWithClearErrors() throws {
        let gemma = #"{"model_type":"gemma2","hidden_size":64}"#
        let error = #expect(throws: HFConfigError.self) { try HFModelConfig(json: Data(gemma.utf8), file: "/m/config.json") }
        #expect(error?.description.contains("gemma2") == true)
        #expect(error?.description.contains("llama, qwen2, mistral") == true)
        #expect(error?.description.hasPrefix("/m/config.json") == true)

        let missing = #"{"model_type":"llama","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":10}"#
        let missingError = #expect(throws: HFConfigError.self) { try HFModelConfig(json: Data(missing.utf8)) }
        #expect(missingError?.description.contains("intermediate_size") == true)

        let wrongType = #"{"model_type":"llama","hidden_size":"big","intermediate_size":1,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":10}"#
        let wrongError = #expect(throws: HFConfigError.self) { try HFModelConfig(json: Data(wrongType.utf8)) }
        #expect(wrongError?.description.contains("hidden_size") == true)

        let yarn = #"{"model_type":"qwen2","hidden_size":64,"intermediate_size":1,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":10,"rope_scaling":{"type":"yarn","factor":4}}"#
        let yarnError = #expect(throws: HFConfigError.self) { try HFModelConfig(json: Data(yarn.utf8)) }
        #expect(yarnError?.description.contains("yarn") == true)

        let byClass = #"{"architectures":["Phi3ForCausalLM"],"hidden_size":64}"#
        let classError = #expect(throws: HFConfigError.self) { try HFModelConfig(json: Data(byClass.utf8)) }
        #expect(classError?.description.contains("Phi3ForCausalLM") == true)
    }

    @Test func writesAndReadsBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.url.appendingPathComponent("config.json")
        var configs = [try HFModelConfig(json: Data(Self.smolLM2.utf8))]
        configs.append(HFModelConfig(architecture: .qwen2, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2,
                                     numAttentionHeads: 4, numKeyValueHeads: 2, vocabSize: 10, eosTokenIds: [1, 2]))
        configs.append(HFModelConfig(architecture: .llama, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2,
                                     numAttentionHeads: 4, headDim: 32, ropeScaling: .init(), vocabSize: 10, attentionBias: true))
        for config in configs {
            try config.write(to: url)
            #expect(try HFModelConfig(url: url) == config)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"architectures\" : [\n    \"LlamaForCausalLM\"") && text.contains("\"rope_type\" : \"llama3\""))
    }
}
