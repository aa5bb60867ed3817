// swift-tools-version:6.0
import PackageDescription
import Foundation

// Kernels are built for AVX2+FMA (Haswell and later) unless DISTILLERY_PORTABLE=1 is set,
// because Swift on Linux otherwise targets baseline x86-64 and emits no FMA or ymm code.
let portable = ProcessInfo.processInfo.environment["DISTILLERY_PORTABLE"] == "1"
#if arch(x86_64)
let swiftKernelFlags: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-target-cpu", "haswell"])]
let cKernelFlags: [CSetting] = portable ? [] : [.unsafeFlags(["-mavx2", "-mfma", "-mf16c", "-O3"])]
#else
let swiftKernelFlags: [SwiftSetting] = []
let cKernelFlags: [CSetting] = [.unsafeFlags(["-O3"])]
#endif

let package = Package(
    name: "Distillery",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "distillery", targets: ["DistilleryCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "CKernels", cSettings: cKernelFlags),
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], swiftSettings: swiftKernelFlags),
        .target(name: "ModelFormats", dependencies: ["Tensors"], swiftSettings: swiftKernelFlags),
        .target(name: "Tokenizers"),
        .target(name: "Transformer", dependencies: ["Tensors", "ModelFormats", "CKernels"], swiftSettings: swiftKernelFlags),
        .target(name: "ModelLoading", dependencies: ["ModelFormats", "Tokenizers", "Transformer"]),
        // `distillery quantize`: model files in, a GGUF of one type out (docs/quantize.md).
        .target(name: "Quantization", dependencies: [
            "ModelFormats", "ModelLoading", "Provenance", "Tokenizers",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The license and base-model knowledge base: users read it as the top-level `manifests/`, a
        // symlink to `Sources/Provenance/KnowledgeBase`, which SwiftPM bundles as a resource. (The
        // other way round does not work: SwiftPM copies a symlinked resource as a dangling link.)
        .target(name: "Provenance", dependencies: [
            "ModelFormats",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("KnowledgeBase")]),
        .target(name: "Traces", dependencies: ["CZstd", "CKernels", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Teachers", dependencies: [
            "Traces", "Transformer", "Tokenizers", "ModelLoading",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Serving", dependencies: ["Transformer", "Tokenizers", "ModelLoading"]),
        // `distillery eval` and calibration statistics: a model against a reference on teacher traces
        // (docs/eval.md).
        .target(name: "Evaluation", dependencies: ["Transformer", "ModelLoading", "Traces", "Tokenizers"]),
        // `distillery train`: backward passes, losses, AdamW, checkpoints, student initialisation
        // (docs/train.md).
        .target(name: "Training", dependencies: [
            "Tensors", "Transformer", "ModelFormats", "ModelLoading", "Tokenizers", "Traces", "Evaluation", "CKernels",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: swiftKernelFlags),
        // `distillery distill`: the stages run from one pipeline file, with the built-in default
        // pipeline and its prompt set as resources (examples/ links to them).
        .target(name: "Pipeline", dependencies: [
            "ModelLoading", "Provenance", "Traces", "Teachers", "Quantization", "Evaluation", "Training",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("Default")]),
        .executableTarget(name: "DistilleryCLI", dependencies: [
            "ModelLoading", "Provenance", "Traces", "Teachers", "Serving", "Quantization", "Evaluation", "Training", "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Shard-writing benchmark (scripts/bench/shards.sh): depends on Traces only, so its
        // release build skips the engine.
        .executableTarget(name: "ShardBench", dependencies: ["Traces"], path: "Sources/ShardBench"),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TransformerTests", dependencies: ["ModelLoading", "Transformer"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ProvenanceTests", dependencies: ["Provenance"]),
        .testTarget(name: "TracesTests", dependencies: ["Traces"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TeachersTests", dependencies: ["Teachers", "Traces", "ModelLoading"]),
        .testTarget(name: "CLITests", dependencies: ["ModelLoading", "Traces"]),
        .testTarget(name: "ServingTests", dependencies: ["Serving", "ModelLoading", "Teachers"]),
        .testTarget(name: "EvaluationTests", dependencies: [
            "Evaluation", "ModelLoading", "ModelFormats", "Transformer", "Traces", "Tokenizers", "Quantization",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TrainingTests", dependencies: [
            "Training", "Transformer", "ModelLoading", "ModelFormats", "Evaluation", "Traces", "Tokenizers",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Provenance"]),
        .testTarget(name: "QuantizationTests", dependencies: [
            "Quantization", "ModelLoading", "ModelFormats", "Transformer", "Provenance",
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
