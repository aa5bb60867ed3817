import ArgumentParser
import Foundation
import Provenance

struct ManifestHash: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash", abstract: "Re-record every file's SHA-256 and size (after an intended change; re-sign afterwards).")

    @Argument(help: "Folder holding manifest.json.") var dir: String

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        var manifest = try Manifest.load(from: folder)
        try manifest.recordFiles(in: folder)
        if manifest.signature != nil {
            manifest.signature = nil
            FileHandle.standardError.write(Data("note: the old signature no longer applies and was removed; run `manifest sign`.\n".utf8))
        }
        try manifest.write(to: folder)
        print("recorded \(manifest.files.count) files")
    }
}
