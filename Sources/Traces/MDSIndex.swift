import Foundation

/// `raw_data` / `zip_data` of a shard entry (MDS.md §2).
public struct MDSFileInfo: Equatable, Sendable {
    public var basename: String
    public var bytes: Int
    public var hashes: [String: String]
}

/// One shard entry of index.json version 2 (MDS.md §2): exactly the 11 keys the reference
/// reader's `MDSReader(**entry)` accepts.
public struct MDSShardEntry: Equatable, Sendable {
    public var columns: [MDSColumn]
    /// `column_sizes` as recorded. Readers trust it, not the encoding: a fixed-size column
    /// declared null carries a u32 length and was accepted by the reference (MDS.md §2, §6).
    public var columnSizes: [Int?]
    public var compression: String?
    public var hashes: [String]
    public var rawData: MDSFileInfo
    public var samples: Int
    public var sizeLimit: Int?
    public var zipData: MDSFileInfo?

    /// The in-shard config JSON: the entry minus raw_data, samples and zip_data, sorted keys,
    /// Python's default separators (MDS.md §3), so raw shards are byte-identical to MDSWriter's.
    func configJSON() -> String {
        PythonJSON.object(commonFields())
    }

    func indexJSON() -> String {
        var fields = commonFields()
        fields.append(("raw_data", Self.fileJSON(rawData)))
        fields.append(("samples", String(samples)))
        fields.append(("zip_data", zipData.map(Self.fileJSON) ?? "null"))
        return PythonJSON.object(fields)
    }

    private func commonFields() -> [(String, String)] {
        [
            ("column_encodings", PythonJSON.array(columns.map { PythonJSON.string($0.encoding.rawValue) })),
            ("column_names", PythonJSON.array(columns.map { PythonJSON.string($0.name) })),
            ("column_sizes", PythonJSON.array(columnSizes.map { $0.map(String.init) ?? "null" })),
            ("compression", compression.map(PythonJSON.string) ?? "null"),
            ("format", PythonJSON.string("mds")),
            ("hashes", PythonJSON.array(hashes.map(PythonJSON.string))),
            ("size_limit", sizeLimit.map(String.init) ?? "null"),
            ("version", "2"),
        ]
    }

    private static func fileJSON(_ f: MDSFileInfo) -> String {
        PythonJSON.object([
            ("basename", PythonJSON.string(f.basename)),
            ("bytes", String(f.bytes)),
            ("hashes", PythonJSON.object(f.hashes.map { ($0.key, PythonJSON.string($0.value)) })),
        ])
    }
}

/// index.json: `{"shards": [...], "version": 2}` (MDS.md §2).
public struct MDSIndex: Equatable, Sendable {
    public var shards: [MDSShardEntry]

    public init(shards: [MDSShardEntry]) { self.shards = shards }

    /// As `json.dump(obj, f, sort_keys=True)` writes it: no trailing newline.
    public func serialized() -> String {
        PythonJSON.object([("shards", PythonJSON.array(shards.map { $0.indexJSON() })), ("version", "2")])
    }

    /// Parses and validates index.json; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> MDSIndex {
        let top: Any
        do {
            top = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TracesError.unreadableIndex(file: file, reason: "not valid JSON")
        }
        guard let object = top as? [String: Any] else {
            throw TracesError.invalidIndexField(file: file, field: "(top level)", reason: "must be a JSON object")
        }
        guard let version = object["version"] else {
            throw TracesError.invalidIndexField(file: file, field: "version", reason: "missing")
        }
        guard intValue(version) == 2 else {
            throw TracesError.unsupportedVersion(file: file, field: "version", version: "\(version)")
        }
        guard let shards = object["shards"] as? [Any] else {
            throw TracesError.invalidIndexField(file: file, field: "shards", reason: "missing or not a list")
        }
        var entries: [MDSShardEntry] = []
        for (i, shard) in shards.enumerated() {
            entries.append(try parseShard(shard, field: "shards[\(i)]", file: file))
        }
        return MDSIndex(shards: entries)
    }

    private static func parseShard(_ value: Any, field: String, file: String) throws -> MDSShardEntry {
        func bad(_ key: String, _ reason: String) -> TracesError {
            .invalidIndexField(file: file, field: "\(field).\(key)", reason: reason)
        }
        guard let e = value as? [String: Any] else { throw bad("", "must be a JSON object") }
        // The reference reader passes the entry as keyword arguments: an extra or missing key
        // fails there (MDS.md §2, §6), so it fails here too rather than producing unreadable data.
        let required: Set<String> = ["column_encodings", "column_names", "column_sizes", "compression", "format",
                                     "hashes", "raw_data", "samples", "size_limit", "version", "zip_data"]
        for key in required where e[key] == nil { throw bad(key, "missing (the reference reader requires it)") }
        for key in e.keys where !required.contains(key) { throw bad(key, "unknown key (the reference reader rejects it)") }
        guard intValue(e["version"]) == 2 else {
            throw TracesError.unsupportedVersion(file: file, field: "\(field).version", version: "\(e["version"] ?? "")")
        }
        guard let format = e["format"] as? String else { throw bad("format", "must be a string") }
        guard format == "mds" else { throw TracesError.unsupportedFormat(file: file, field: "\(field).format", format: format) }
        guard let names = e["column_names"] as? [String] else { throw bad("column_names", "must be a list of strings") }
        guard let encodings = e["column_encodings"] as? [String] else { throw bad("column_encodings", "must be a list of strings") }
        guard let sizes = e["column_sizes"] as? [Any] else { throw bad("column_sizes", "must be a list") }
        guard names.count == encodings.count, names.count == sizes.count else {
            throw bad("column_names", "column_names, column_encodings and column_sizes differ in length")
        }
        var columns: [MDSColumn] = []
        var columnSizes: [Int?] = []
        for (j, (name, enc)) in zip(names, encodings).enumerated() {
            guard let encoding = MDSEncoding(rawValue: enc) else {
                throw TracesError.unsupportedColumnType(file: file, field: "\(field).column_encodings[\(j)]", encoding: enc)
            }
            // Readers trust column_sizes (MDS.md §2); we derive it, so a disagreement is corruption.
            // `if size:` in the reference: null and 0 both mean variable.
            var declared: Int? = nil
            if !(sizes[j] is NSNull) {
                guard let d = intValue(sizes[j]) else { throw bad("column_sizes[\(j)]", "must be an integer or null") }
                declared = d == 0 ? nil : d
            }
            if let declared, declared != encoding.fixedSize {
                throw bad("column_sizes[\(j)]", "\(declared) does not match encoding \(enc)")
            }
            columnSizes.append(declared)
            columns.append(MDSColumn(name, encoding))
        }
        if Set(names).count != names.count { throw bad("column_names", "duplicate column name") }
        var compression: String? = nil
        if !(e["compression"] is NSNull) {
            guard let c = e["compression"] as? String else { throw bad("compression", "must be a string or null") }
            guard zstdLevel(c) != nil else {
                throw TracesError.unsupportedCompression(file: file, field: "\(field).compression", compression: c)
            }
            compression = c
        }
        guard let hashes = e["hashes"] as? [String] else { throw bad("hashes", "must be a list of strings") }
        guard let samples = intValue(e["samples"]), samples >= 0 else { throw bad("samples", "must be an integer ≥ 0") }
        var sizeLimit: Int? = nil
        if !(e["size_limit"] is NSNull) {
            guard let s = intValue(e["size_limit"]) else { throw bad("size_limit", "must be an integer or null") }
            sizeLimit = s
        }
        let raw = try parseFileInfo(e["raw_data"], field: "\(field).raw_data", file: file)
        var zip: MDSFileInfo? = nil
        if !(e["zip_data"] is NSNull) {
            zip = try parseFileInfo(e["zip_data"], field: "\(field).zip_data", file: file)
        }
        if (compression == nil) != (zip == nil) {
            throw bad("zip_data", "must be null exactly when compression is null")
        }
        return MDSShardEntry(columns: columns, columnSizes: columnSizes, compression: compression, hashes: hashes, rawData: raw,
                             samples: samples, sizeLimit: sizeLimit, zipData: zip)
    }

    private static func parseFileInfo(_ value: Any?, field: String, file: String) throws -> MDSFileInfo {
        func bad(_ key: String, _ reason: String) -> TracesError {
            .invalidIndexField(file: file, field: "\(field).\(key)", reason: reason)
        }
        guard let o = value as? [String: Any] else { throw bad("", "must be a JSON object") }
        guard let basename = o["basename"] as? String, !basename.isEmpty else { throw bad("basename", "must be a non-empty string") }
        // Basenames are relative paths (MDS.md §1); refuse ones that climb out of the dataset.
        if basename.hasPrefix("/") || basename.split(separator: "/").contains("..") {
            throw bad("basename", "must be a relative path inside the dataset folder")
        }
        guard let bytes = intValue(o["bytes"]), bytes >= 0 else { throw bad("bytes", "must be an integer ≥ 0") }
        guard let hashes = o["hashes"] as? [String: String] else { throw bad("hashes", "must be an object of strings") }
        return MDSFileInfo(basename: basename, bytes: bytes, hashes: hashes)
    }

    /// An integer JSON number (not a bool, not a fraction).
    static func intValue(_ v: Any?) -> Int? {
        guard let n = v as? NSNumber else { return nil }
        // JSON true/false also arrive as NSNumber, tagged "c" (char), never a valid count.
        if String(cString: n.objCType) == "c" { return nil }
        let d = n.doubleValue
        guard d == d.rounded(), abs(d) < 9e15 else { return nil }
        return n.intValue
    }
}

/// The zstd level a `compression` string selects: `zstd` is 3, `zstd:1`…`zstd:22` (MDS.md §2).
/// Other families (gz, bz2, br, snappy) are valid MDS but not decoded here.
func zstdLevel(_ compression: String) -> Int? {
    if compression == "zstd" { return 3 }
    guard compression.hasPrefix("zstd:"), let n = Int(compression.dropFirst(5)), (1...22).contains(n),
          String(n) == compression.dropFirst(5) else { return nil }
    return n
}

/// Python's `json.dumps` formatting for the little we emit: `", "`/`": "` separators and
/// `ensure_ascii` escapes (MDS.md §2), so index.json matches MDSWriter's byte for byte.
enum PythonJSON {
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
            .map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func string(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}
