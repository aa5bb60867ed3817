import Foundation

/// The calls a pipeline stage makes to record what it did, without a process.
extension Manifest {
    /// Adds a lineage edge; the same id in the same role twice is an error so a resumed run
    /// cannot duplicate it. One id may hold two roles: a student pruned from its teacher has
    /// the teacher as its base (weights inside) and as its teacher (outputs used).
    public mutating func addParent(_ parent: Parent) throws(ProvenanceError) {
        guard !parent.id.isEmpty else { throw .invalidArgument(name: "--id", value: "", expected: "a model or dataset id") }
        if let sha = parent.sha256, !Manifest.isSHA256(sha) {
            throw .invalidArgument(name: "--sha256", value: sha, expected: "64 lowercase hex digits")
        }
        guard !parents.contains(where: { $0.id == parent.id && $0.role == parent.role }) else { throw .duplicateParent(id: parent.id) }
        parents.append(parent)
    }

    public mutating func declare(_ key: String, _ value: String) throws(ProvenanceError) {
        try declarations.set(key, to: value)
    }

    /// Parses `KEY=VALUE` as given on the command line.
    public mutating func declare(assignment: String) throws(ProvenanceError) {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw .invalidArgument(name: "declaration", value: assignment,
                                   expected: "KEY=VALUE with KEY one of \(Declarations.knownKeys.joined(separator: ", "))")
        }
        try declare(String(assignment[..<eq]), String(assignment[assignment.index(after: eq)...]))
    }

    /// Hashes every file in `folder` (recursively) into `files`, replacing what was there.
    /// Left out: `manifest.json` (it holds the hashes), `README.md` (the card is regenerated
    /// from the manifest by `distillery card`) and dot files (temporary files, VCS data).
    public mutating func recordFiles(in folder: URL) throws(ProvenanceError) {
        var records: [FileRecord] = []
        for relative in try Manifest.recordableFiles(in: folder) {
            let digest = try FileDigest.sha256(of: folder.appendingPathComponent(relative))
            records.append(FileRecord(path: relative, sha256: digest.hex, size: digest.size))
        }
        files = records
    }

    static func recordableFiles(in folder: URL) throws(ProvenanceError) -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                         options: [.skipsHiddenFiles]) else {
            throw .unreadable(path: folder.path, reason: "not a folder")
        }
        let base = folder.standardizedFileURL.path
        var out: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(base) { relative.removeFirst(base.count) }
            relative = relative.trimmingCharacters(in: ["/"])
            if relative == fileName || relative == "README.md" { continue }
            out.append(relative)
        }
        return out.sorted()
    }

    static func isSHA256(_ s: String) -> Bool {
        s.count == 64 && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Now, in the manifest's ISO 8601 form.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
