import Foundation
import Testing
@testable import Traces

/// Columns of the fixtures, the same as scripts/fixtures/make_mds_fixtures.py writes.
let fixtureColumns = [
    MDSColumn("id", .str), MDSColumn("n", .int64), MDSColumn("score", .float64),
    MDSColumn("blob", .bytes), MDSColumn("meta", .json),
    MDSColumn("tokens", .ndarray(dtype: .uint32, shape: nil)), MDSColumn("topk", .ndarray(dtype: .float16, shape: nil)),
    MDSColumn("grid", .ndarray(dtype: .int16, shape: [2, 3])), MDSColumn("dyn", .ndarray(dtype: nil, shape: nil)),
]

func leBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { littleEndian(UInt64(truncatingIfNeeded: $0), bytes: MemoryLayout<T>.size) }
}

func makeSample(_ i: Int) -> [String: MDSValue] {
    [
        "id": .string("trace-\(i)" + (i % 5 == 2 ? "-é✓🙂" : "")),
        "n": .int(Int64(i) * (i % 2 == 0 ? 1_000_000_007 : -3) + (i == 7 ? Int64(1) << 62 : 0)),
        "score": .double(i % 4 == 1 ? -0.0 : Double(i) / 3),
        "blob": .bytes((0..<(i * 13 % 97)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }),
        "meta": .json(#"{"i": \#(i), "tags": ["a", "\u00fc"], "x": \#(Double(i) / 4), "nested": {"ok": true, "none": null}}"#),
        "tokens": .array(MDSArray(dtype: .uint32, shape: [i * 3 + 1], data: leBytes((0..<(i * 3 + 1)).map { UInt32(truncatingIfNeeded: $0 * 40503 + i) }))),
        // float16 top-k: 1.0 and -inf padding (0xFC00), the TRL convention of MDS.md §8.
        "topk": .array(MDSArray(dtype: .float16, shape: [i + 1, 2], data: leBytes((0..<(2 * i + 2)).map { $0 % 2 == 0 ? UInt16(0x3C00) : UInt16(0xFC00) }))),
        "grid": .array(MDSArray(dtype: .int16, shape: [2, 3], data: leBytes((0..<6).map { Int16($0 - 3) * Int16(i + 100) }))),
        "dyn": i % 2 == 0
            ? .array(MDSArray(dtype: .int64, shape: [i + 1], data: leBytes((0..<(i + 1)).map { Int64($0) - (1 << 40) })))
            : .array(MDSArray(dtype: .float32, shape: [2, i == 5 ? 300 : i], data: leBytes((0..<(2 * (i == 5 ? 300 : i))).map { Float(Double($0) / 3).bitPattern }))),
    ]
}

/// The canonical JSON form both our tests and the Python script compare (see the script):
/// bytes as base64, ints as decimal strings, floats as IEEE-754 bits in hex, json parsed.
func canonical(_ sample: [String: MDSValue]) throws -> [String: Any] {
    var out: [String: Any] = [:]
    for (key, value) in sample {
        switch value {
        case let .string(s): out[key] = s
        case let .bytes(b): out[key] = ["base64": Data(b).base64EncodedString()]
        case let .int(v): out[key] = String(v)
        case let .uint(v): out[key] = String(v)
        case let .double(d): out[key] = String(format: "%016llx", d.bitPattern)
        case let .array(a): out[key] = ["dtype": a.dtype.rawValue, "shape": a.shape, "base64": Data(a.data).base64EncodedString()] as [String: Any]
        case let .json(text): out[key] = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        }
    }
    return out
}

func sameJSON(_ a: [String: Any], _ b: [String: Any]) -> Bool {
    NSDictionary(dictionary: a).isEqual(to: b)
}

func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("traces-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func fixtureURL(_ name: String) throws -> URL {
    guard let base = Bundle.module.resourceURL else { throw TracesError.io(file: name, reason: "no bundle") }
    return base.appendingPathComponent("Fixtures").appendingPathComponent(name)
}

func readAll(_ ds: MDSDataset) throws -> [[String: MDSValue]] {
    var all: [[String: MDSValue]] = []
    try ds.forEachSample { _, s in all.append(s) }
    return all
}
