import Foundation

/// The pipeline `distillery distill` runs without a file: `Default/pipeline.yaml` and its
/// prompt set, bundled with the program (`examples/default.yaml` links to the same files).
public enum BuiltInPipeline {
    public static func url() throws -> URL {
        guard let url = Bundle.module.url(forResource: "pipeline", withExtension: "yaml", subdirectory: "Default") else {
            throw PipelineError.unreadableFile(path: "Default/pipeline.yaml",
                                               why: "the built-in pipeline is missing from the program's resources; rebuild, or give a pipeline file")
        }
        return url
    }

    public static func load() throws -> PipelineSpec {
        try PipelineSpec.load(from: try url())
    }
}
