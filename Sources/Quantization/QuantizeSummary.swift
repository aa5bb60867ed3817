/// What `distillery quantize` made, as `--json` prints it.
public struct QuantizeSummary: Sendable, Encodable {
    public var output: String
    public var type: String
    /// `general.file_type` written (llama.cpp's `llama_ftype`).
    public var fileType: Int
    /// How many tensors of each ggml type the file holds.
    public var tensorTypes: [String: Int]
    public var bytes: Int
    public var sourceSHA256: String
    /// True when some source tensors were already quantised (quality is lost twice).
    public var requantized: Bool
    /// True when `--calibrate` statistics weighed the rounding.
    public var calibrated: Bool
    /// Things the user should know: requantising, departures from llama.cpp's type choice.
    public var warnings: [String]
    /// Facts worth a line that need no action: the fallbacks a mix made, as llama.cpp logs them.
    public var notes: [String]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case output, type, bytes, requantized, calibrated, warnings, notes, seconds
        case fileType = "file_type"
        case tensorTypes = "tensor_types"
        case sourceSHA256 = "source_sha256"
    }
}
