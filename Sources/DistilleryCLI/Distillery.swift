import ArgumentParser
import Tensors

@main
struct Distillery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distillery",
        abstract: "Make derivative models: teacher traces, student training, GGUF quantisation, provenance.",
        subcommands: [
            InspectCommand.self,
            TokenizeCommand.self,
            LogitsCommand.self,
            RunCommand.self,
            BenchCommand.self,
            BenchTrainCommand.self,
            TrainCommand.self,
            DistillCommand.self,
            ServeCommand.self,
            ManifestCommand.self,
            AuditCommand.self,
            CardCommand.self,
            GenerateCommand.self,
            TracesCommand.self,
            QuantizeCommand.self,
            EvalCommand.self,
        ]
    )

    static func main() {
        BLASKernels.restartWithFasterKernelsIfMisdetected()
        main(nil)
    }
}
