import CopilotCore
import Testing

@testable import CopilotPlanner

@Suite struct ServerSentEventDecoderTests {
    static func events(_ chunks: [some Sequence<UInt8>]) -> [ServerSentEvent] {
        var decoder = ServerSentEventDecoder()
        return chunks.flatMap { decoder.decode($0) }
    }

    @Test("every split of a recorded stream gives the same events")
    func anySplit() {
        let bytes = Array(Recordings.anthropic.utf8)
        let whole = Self.events([bytes])
        #expect(whole.count == 10)
        #expect(whole.map(\.type).first == "message_start")
        for chunks in bytes.splits {
            #expect(Self.events(chunks) == whole)
        }
    }

    @Test("LF, CRLF and CR end lines; data lines join with LF; comments, unknown fields and a BOM are skipped")
    func format() {
        let bytes = Array("\u{FEFF}: hello\ndata: a\r\ndata:b\rid: 7\nretry: 10\n\nevent: x\ndata\r\r".utf8)
        let expected = [ServerSentEvent(type: "message", data: "a\nb"), ServerSentEvent(type: "x", data: "")]
        #expect(Self.events([bytes]) == expected)
        for chunks in bytes.splits {
            #expect(Self.events(chunks) == expected, "\(chunks.map(\.count))")
        }
    }

    @Test("an event without data is not dispatched, nor one the stream cuts off before its blank line")
    func incomplete() {
        #expect(Self.events([Array("event: ping\n\ndata: cut".utf8)]) == [])
    }

    @Test("a CR at the end of one chunk and a LF at the start of a later one (an empty chunk between) end one line")
    func splitCRLF() {
        #expect(
            Self.events([Array("data: a\r".utf8), [], Array("\ndata: b\r\n\r\n".utf8)]) == [
                ServerSentEvent(type: "message", data: "a\nb")
            ]
        )
    }

    @Test("what the encoder writes (the live stream's and the model stand-in's events) decodes to the same events")
    func encoderRoundTrip() {
        let events = [
            ServerSentEvent(id: "41", type: "run", data: #"{"status":"running"}"#),
            ServerSentEvent(data: "two\nlines"),
            ServerSentEvent(type: "gap", data: ""),
        ]
        let bytes = events.flatMap(\.encoded)
        let decoded = Self.events(bytes.map { [$0] })
        #expect(decoded.map(\.type) == ["run", "message", "gap"])
        #expect(decoded.map(\.data) == events.map(\.data))
        #expect(
            String(decoding: events[0].encoded, as: UTF8.self)
                == "id: 41\nevent: run\ndata: {\"status\":\"running\"}\n\n"
        )
    }
}
