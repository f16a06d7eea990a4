import CopilotCore
import Testing

@testable import CopilotServer

/// When the live stream owes a client a `gap` event (the rest is `RunStreamTests`, on the live service).
@Suite struct RunStreamGapTests {
    typealias Stream = RunStream<AppRequestContext>

    @Test("a client whose next change was pruned, or that names one never made, is told; one in range is not")
    func gaps() {
        let kept = RunChanges(changes: [], oldest: 500, newest: 900)
        #expect(Stream.gap(after: 10, in: kept)?.type == "gap", "changes 11...499 are gone")
        #expect(Stream.gap(after: 499, in: kept) == nil, "500 is next, and kept")
        #expect(Stream.gap(after: 900, in: kept) == nil, "up to date")
        #expect(Stream.gap(after: 901, in: kept)?.type == "gap", "from another store")
        #expect(Stream.gap(after: .max, in: kept)?.type == "gap", "no overflow")
        #expect(Stream.gap(after: 0, in: RunChanges(changes: [], oldest: nil, newest: 0)) == nil, "an empty store")
    }
}
