import ArgumentParser

/// Sizes as MDSWriter's `size_limit` takes them: a number of bytes, or with a binary
/// suffix kb, mb, gb (MDS.md §5: "100kb" is 100×1024).
enum ByteSize {
    static func parse(_ text: String, option: String) throws -> Int {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10), ("b", 1)]
        for (suffix, scale) in units where lower.hasSuffix(suffix) {
            if let value = Int(lower.dropLast(suffix.count)), value > 0 { return value * scale }
            break
        }
        if let value = Int(lower), value > 0 { return value }
        throw ValidationError("\(option) \(text) is not a size: use bytes or kb, mb, gb (e.g. 64mb)")
    }
}
