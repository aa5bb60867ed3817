/// An owned, zero-initialised Float32 allocation that outlives the weights pointing into it.
/// Large buffers come from calloc, so pages never written (an unused KV-cache tail) are
/// never made resident.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Throws when the allocation fails, which a corrupt size in a model file can cause.
    public init(count: Int) throws {
        guard count >= 0, let raw = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
            throw TransformerError.outOfMemory(floats: count)
        }
        self.count = count
        pointer = raw.assumingMemoryBound(to: Float.self)
    }

    public convenience init(_ values: [Float]) throws {
        try self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }

    deinit { free(pointer) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
