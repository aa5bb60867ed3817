import Foundation

/// The files are the ones the manifest describes, and the manifest is the one its signer signed.
enum AuditRuleIntegrity {
    static let weightSuffixes = [".gguf", ".safetensors", ".bin", ".pt", ".pth", ".mds", ".jsonl"]

    static func check(_ c: AuditContext) -> [AuditFinding] {
        guard case let .manifest(folder) = c.node.origin else { return [] }
        var out = verifyFiles(c.manifest, in: folder).map {
            AuditFinding(severity: .fail, rule: "file-hash", ancestor: nil, section: nil, message: $0,
                         fix: "Restore the original file, or if the change is intended re-record hashes with `distillery manifest hash \(folder.path)` (and re-sign).",
                         subject: c.subject)
        }
        if c.manifest.files.isEmpty {
            out.append(AuditFinding(severity: .warn, rule: "file-hash", ancestor: nil, section: nil,
                message: "\(Manifest.fileName) records no files, so altered weights would go unnoticed",
                fix: "`distillery manifest hash \(folder.path)`", subject: c.subject))
        } else {
            let recorded = Set(c.manifest.files.map(\.path))
            let present = (try? Manifest.recordableFiles(in: folder)) ?? []
            for file in present where !recorded.contains(file) && weightSuffixes.contains(where: file.lowercased().hasSuffix) {
                out.append(AuditFinding(severity: .warn, rule: "file-hash", ancestor: nil, section: nil,
                    message: "\(file) is in the folder but not in \(Manifest.fileName)",
                    fix: "`distillery manifest hash \(folder.path)` to record it, or remove it.", subject: c.subject))
            }
        }
        if c.manifest.signature != nil {
            switch ManifestSigning.verifySignature(of: c.manifest) {
            case .success: break
            case let .failure(error):
                out.append(AuditFinding(severity: .fail, rule: "signature", ancestor: nil, section: nil,
                    message: "\(folder.appendingPathComponent(Manifest.fileName).path): \(error.description)",
                    fix: "Obtain the manifest from its publisher again; if you edited it yourself, re-sign with `distillery manifest sign`.",
                    subject: c.subject))
            }
        }
        return out
    }

    /// One message per file that is missing, a different size or a different SHA-256.
    public static func verifyFiles(_ manifest: Manifest, in folder: URL) -> [String] {
        var problems: [String] = []
        for record in manifest.files {
            let url = folder.appendingPathComponent(record.path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems.append("\(record.path): listed in \(Manifest.fileName) but missing from \(folder.path)")
                continue
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.uint64Value
            if let size, size != record.size {
                problems.append("\(record.path): size \(size) bytes, manifest records \(record.size): the file was changed")
                continue
            }
            do {
                let digest = try FileDigest.sha256(of: url)
                if digest.hex != record.sha256 {
                    problems.append("\(record.path): sha256 \(digest.hex.prefix(16))… differs from the manifest's \(record.sha256.prefix(16))…: the file was changed")
                }
            } catch { problems.append(error.description) }
        }
        return problems
    }
}
