import Testing
@testable import Serving

struct StopSequenceMatcherTests {
    /// Feeds `pieces` and returns what was output and whether a stop string ended it.
    func run(_ stops: [String], _ pieces: [String]) -> (String, Bool) {
        var matcher = StopSequenceMatcher(stops)
        var out = ""
        for piece in pieces {
            out += matcher.append(piece)
            if matcher.stopped { break }
        }
        return (out + matcher.finish(), matcher.stopped)
    }

    @Test func cutsBeforeAStopStringSplitOverPieces() {
        #expect(run(["\n\nUser:"], ["Hello", " there\n", "\nUs", "er: more"]) == ("Hello there", true))
    }

    @Test func heldTextIsReleasedWhenItIsNotAStopAfterAll() {
        var matcher = StopSequenceMatcher(["END"])
        #expect(matcher.append("the EN") == "the ")
        #expect(matcher.append("D") == "")
        #expect(matcher.stopped)
        var other = StopSequenceMatcher(["END"])
        #expect(other.append("the EN") == "the ")
        #expect(other.append("ding") == "ENding")
        #expect(other.finish() == "")
    }

    @Test func theEarliestOfSeveralStopsWins() {
        #expect(run(["b", "cd"], ["a cd b"]) == ("a ", true))
    }

    @Test func multiByteTextIsNeverSplit() {
        #expect(run(["é!"], ["café", " ok"]) == ("café ok", false))
        #expect(run(["🙂"], ["hi 🙂 there"]) == ("hi ", true))
    }

    @Test func noStopsPassesTextThrough() {
        #expect(run([], ["a", "b"]) == ("ab", false))
        #expect(run([""], ["a"]) == ("a", false))
    }
}
