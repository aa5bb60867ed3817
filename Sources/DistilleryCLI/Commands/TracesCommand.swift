import ArgumentParser

struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Look into, check and export trace datasets (MosaicML Streaming MDS folders).",
        subcommands: [TracesInspect.self, TracesVerify.self, TracesExport.self]
    )
}
