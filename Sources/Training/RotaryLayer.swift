import Transformer

/// RoPE on the packed batch. Each document's positions restart at 0, so a packed row rotates
/// exactly as its traces would alone. The backward pass of a rotation is the rotation by the
/// opposite angle: the same call with sin negated.
struct RotaryLayer {
    let rope: RotaryEmbedding
    let half: Int
    /// cos and sin of every token's position, [tokens × head_dim/2] each, and −sin.
    private(set) var cos: [Float] = []
    private(set) var sin: [Float] = []
    private(set) var negatedSin: [Float] = []

    init(config: ModelConfig) {
        rope = RotaryEmbedding(config: config)
        half = config.headDimension / 2
    }

    mutating func prepare(tokenCount: Int, documents: [Range<Int>]) {
        cos = [Float](repeating: 1, count: tokenCount * half)
        sin = [Float](repeating: 0, count: tokenCount * half)
        cos.withUnsafeMutableBufferPointer { c in
            sin.withUnsafeMutableBufferPointer { s in
                guard let cBase = c.baseAddress, let sBase = s.baseAddress else { return }
                for document in documents {
                    for (position, token) in document.enumerated() {
                        rope.angles(position: position, cos: cBase + token * half, sin: sBase + token * half)
                    }
                }
            }
        }
        negatedSin = sin.map { -$0 }
    }

    func forward(_ x: UnsafeMutablePointer<Float>, heads: Int, tokens: Int) {
        apply(x, heads: heads, tokens: tokens, sin: sin)
    }

    func backward(_ dx: UnsafeMutablePointer<Float>, heads: Int, tokens: Int) {
        apply(dx, heads: heads, tokens: tokens, sin: negatedSin)
    }

    private func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, tokens: Int, sin: [Float]) {
        let width = heads * rope.headDimension
        cos.withUnsafeBufferPointer { c in
            sin.withUnsafeBufferPointer { s in
                guard let cBase = c.baseAddress, let sBase = s.baseAddress else { return }
                for t in 0..<tokens {
                    rope.rotate(x + t * width, heads: heads, cos: cBase + t * half, sin: sBase + t * half)
                }
            }
        }
    }
}
