import Foundation
import ModelLoading
import Transformer

/// `distillery serve`: one model behind an OpenAI-compatible HTTP API. Owns the HTTP
/// server, the continuous batcher and the thread that drives it.
public final class ModelServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// Loopback by default: the API has no authentication.
        public var host = "127.0.0.1"
        /// 0 lets the kernel pick a free port; read it back from `port`.
        public var port = 8080
        /// Sequences decoded together; more requests than this wait their turn.
        public var slots = 8
        /// Tokens per request, prompt and completion together (each slot's KV cache size).
        public var context = 2048
        /// The id `/v1/models` lists and responses carry.
        public var modelName: String
        public var limits = HTTPLimits()

        public init(modelName: String) { self.modelName = modelName }
    }

    public let options: Options
    private let http: HTTPServer
    private let batcher: ContinuousBatcher
    private let batcherDone = DispatchSemaphore(value: 0)
    private let stopLock = NSLock()
    private var stopped = false

    /// Starts serving: when this returns, the port is bound and requests are answered.
    public init(model: LoadedModel, options: Options) throws {
        guard options.slots >= 1 else { throw ServingError.invalidConfiguration("--slots must be at least 1 (got \(options.slots))") }
        guard options.context >= 2 else { throw ServingError.invalidConfiguration("--context must be at least 2 tokens (got \(options.context))") }
        let capacity = min(options.context, model.config.contextLength)
        self.options = options
        batcher = try ContinuousBatcher(model: model.decoder, slots: options.slots, capacity: capacity)
        let service = try ChatCompletionService(model: model, modelName: options.modelName, batcher: batcher, capacity: capacity)
        http = try HTTPServer(host: options.host, port: options.port, limits: options.limits, handler: service.handle)
        let thread = Thread { [batcher, batcherDone] in
            batcher.serve()
            batcherDone.signal()
        }
        thread.name = "distillery-batcher"
        thread.start()
    }

    /// The bound port.
    public var port: Int { http.port }

    /// `http://host:port`, the base a client appends `/v1/...` to.
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)"
    }

    /// Stops accepting, ends every connection (their generations are cancelled and finish),
    /// then stops the batcher.
    public func stop() {
        stopLock.lock()
        defer { stopLock.unlock() }
        guard !stopped else { return }
        stopped = true
        http.stop()
        batcher.stop()
        batcherDone.wait()
    }
}
