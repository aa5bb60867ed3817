import ModelFormats

/// Importance statistics for `quantize --calibrate`: what llama.cpp calls an imatrix.
public struct Calibration: Sendable {
    /// A tensor's GGUF name → one weight per input column: the mean squared activation that
    /// column met over the calibration tokens. Tensors without an entry are quantised unweighted.
    public var importance: [String: [Float]]
    /// Where the statistics came from (the trace folder), recorded in the output's metadata.
    public var dataset: String
    /// How many tokens were run to gather them.
    public var tokens: Int

    public init(importance: [String: [Float]], dataset: String, tokens: Int) {
        self.importance = importance
        self.dataset = dataset
        self.tokens = tokens
    }

    /// llama-quantize's keys for an imatrix-quantised file (`quantize.imatrix.*`), so tools
    /// that read them see this file was calibrated and on what.
    var metadata: [(key: String, value: GGUFValue)] {
        [("quantize.imatrix.dataset", .string(dataset)),
         ("quantize.imatrix.entries_count", .int32(Int32(clamping: importance.count))),
         ("quantize.imatrix.chunks_count", .int32(Int32(clamping: tokens)))]
    }
}
