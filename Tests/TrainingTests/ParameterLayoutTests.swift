import Testing
import Transformer
@testable import Training

@Suite struct ParameterLayoutTests {
    @Test func smolLM2ShapedLayoutCountsItsParameters() {
        let config = ModelConfig(architecture: "llama", hiddenSize: 576, intermediateSize: 1536, layerCount: 30, headCount: 9,
                                 keyValueHeadCount: 3, headDimension: 64, vocabularySize: 49152, contextLength: 8192,
                                 rmsNormEpsilon: 1e-5, ropeTheta: 100000, ropeStyle: .halves)
        let layout = ParameterLayout(config: config)
        // SmolLM2-135M's published parameter count (tied head).
        #expect(layout.totalCount == 134_515_008)
        #expect(layout.tensor(named: "model.layers.29.mlp.down_proj.weight")?.shape == [576, 1536])
        #expect(layout.tensor(named: "lm_head.weight") == nil)
        #expect(layout.tensors.filter { !$0.decays }.count == 61)
    }
}
