import ArgumentParser
import Foundation
import Provenance

struct ManifestSign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Sign manifest.json (lineage, declarations and file hashes) with Ed25519.")

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Option(help: "Private key file from `manifest keygen`.") var key: String

    func run() throws {
        let manifest = try ManifestSigning.sign(folder: URL(fileURLWithPath: dir), keyFile: URL(fileURLWithPath: key))
        print("signed \(dir)/manifest.json (\(manifest.files.count) files) with key \(manifest.signature?.publicKey ?? "")")
    }
}
