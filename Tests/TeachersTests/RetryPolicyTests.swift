import Foundation
import Testing
@testable import Teachers

@Suite struct RetryPolicyTests {
    /// A fixed-sequence generator, so the jitter is known.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func fullJitterStaysUnderTheCappedExponential() {
        let policy = RetryPolicy(maxRetries: 6, baseDelay: 0.5, maxDelay: 4)
        var random = SplitMix(state: 1)
        for retry in 0..<10 {
            let ceiling = min(4, 0.5 * pow(2, Double(retry)))
            let delays = (0..<200).map { _ in policy.delay(retry: retry, retryAfter: nil, using: &random) }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling })
            // Full jitter spreads over the whole range, not just near the ceiling.
            #expect(delays.min()! < ceiling * 0.1 && delays.max()! > ceiling * 0.9)
        }
    }

    @Test func retryAfterIsHonouredExactlyUpToTheCap() {
        let policy = RetryPolicy(maxRetries: 6, baseDelay: 0.5, maxDelay: 30)
        var random = SplitMix(state: 2)
        #expect(policy.delay(retry: 0, retryAfter: 7, using: &random) == 7)
        #expect(policy.delay(retry: 5, retryAfter: 0, using: &random) == 0)
        #expect(policy.delay(retry: 0, retryAfter: 3600, using: &random) == 30)
    }

    @Test func readsRetryAfterInSecondsDatesAndMilliseconds() {
        let now = Date(timeIntervalSince1970: 1_445_412_480) // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.retryAfter(headers: ["Retry-After": "120"]) == 120)
        #expect(RetryPolicy.retryAfter(headers: ["retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"], now: now) == 30)
        #expect(RetryPolicy.retryAfter(headers: ["Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT"], now: now) == 0)
        #expect(RetryPolicy.retryAfter(headers: ["retry-after-ms": "250", "Retry-After": "1"]) == 0.25)
        #expect(RetryPolicy.retryAfter(headers: ["Retry-After": "soon"]) == nil)
        #expect(RetryPolicy.retryAfter(headers: [:]) == nil)
    }

    @Test func retriesTheStatusesTheOpenAISDKsRetry() {
        #expect([408, 409, 429, 500, 502, 503, 504].allSatisfy(RetryPolicy.isRetryable))
        #expect(![400, 401, 403, 404, 422].contains(where: RetryPolicy.isRetryable))
    }
}
