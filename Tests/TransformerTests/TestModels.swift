import Foundation
import ModelLoading

enum TestModels {
    /// The real default teacher, unpacked by scripts/setup.sh (the README's test command runs it).
    static func smolLM2() throws -> LoadedModel {
        try LoadedModel.load("smollm2-135m-instruct", threads: 2)
    }
}
