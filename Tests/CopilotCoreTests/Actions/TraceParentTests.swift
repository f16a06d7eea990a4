import CopilotCore
import Testing

@Suite struct TraceParentTests {
    @Test("reads a valid header and writes it back")
    func roundTrip() throws {
        let text = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let parent = try #require(TraceParent(text))
        #expect(parent.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.description == text)
    }

    @Test(
        "rejects malformed headers",
        arguments: [
            "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4bf9-00f067aa0ba902b7-01",
        ]
    )
    func rejects(text: String) {
        #expect(TraceParent(text) == nil)
    }

    @Test("a new root and a child are valid, and the child keeps the trace id")
    func generate() throws {
        var counter: UInt64 = 0
        let root = TraceParent {
            counter += 0x1111
            return counter
        }
        #expect(root.description == "00-00000000000011110000000000002222-0000000000003333-01")
        #expect(TraceParent(root.description) == root)
        let child = root.child { 0xABC }
        #expect(child.traceID == root.traceID)
        #expect(child.parentID == "0000000000000abc")
        let zero = TraceParent { 0 }
        #expect(TraceParent(zero.description) != nil)
    }
}
