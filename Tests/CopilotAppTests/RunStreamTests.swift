import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `GET /api/v1/stream` on the live service (real HTTP, a SQLite file): every change of a run as a
/// Server-Sent Event with the store's number as its id, resumed with `Last-Event-ID` without a gap.
@Suite(.timeLimit(.minutes(1)))
struct RunStreamTests {
    /// One event as the stream sent it.
    struct Event: Sendable {
        var id: String?
        var type: String
        var data: JSONValue?
    }

    /// Reads events off a streamed body as they arrive; comment lines (keep-alives) are skipped.
    struct Reader {
        var body: HTTPClientResponse.Body.AsyncIterator
        var text = ""

        mutating func next() async throws -> Event? {
            while true {
                if let end = text.range(of: "\n\n") {
                    let block = text[..<end.lowerBound]
                    text.removeSubrange(..<end.upperBound)
                    var event = Event(id: nil, type: "message", data: nil)
                    var data: [Substring] = []
                    for line in block.split(separator: "\n") {
                        if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                        if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)) }
                        if line.hasPrefix("data: ") { data.append(line.dropFirst(6)) }
                    }
                    guard !data.isEmpty else { continue }
                    event.data = try? JSONValue(parsing: Array(data.joined(separator: "\n").utf8))
                    return event
                }
                guard let chunk = try await body.next() else { return nil }
                text += String(buffer: chunk)
            }
        }

        /// Events until one satisfies `stop` (included).
        mutating func events(until stop: (Event) -> Bool) async throws -> [Event] {
            var events: [Event] = []
            while let event = try await next() {
                events.append(event)
                if stop(event) { break }
            }
            return events
        }
    }

    /// Opens the stream as a viewer, with `lastEventID` when given.
    static func open(
        _ client: HTTPClient,
        port: Int,
        lastEventID: String? = nil
    ) async throws -> (HTTPResponseStatus, String?, Reader) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/stream")
        request.headers.add(name: "Authorization", value: "Bearer \(TestOperators.key("viewer"))")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await client.execute(request, timeout: .seconds(30))
        return (
            response.status, response.headers.first(name: "Content-Type"),
            Reader(body: response.body.makeAsyncIterator())
        )
    }

    @Test(
        "a run's changes stream with increasing ids; Last-Event-ID resumes after one, gapless; old ids get a gap event"
    )
    func streamAndResume() async throws {
        let client = HTTPClient.shared
        try await RemediationFlowTests.withFlow { port, _, _, _, _ in
            let (status, contentType, opened) = try await Self.open(client, port: port)
            #expect(status == .ok)
            #expect(contentType == "text/event-stream")
            var reader = opened
            let eventID = try await PlannerFlowTests.postIncident(port, webhookID: "msg_stream_1")
            var events = try await reader.events { $0.data?["status"] == "awaiting_approval" }
            let runID = try #require(events.first?.data?["id"]?.stringValue)
            #expect(events.first?.data?["event_id"]?.stringValue == eventID)
            try await PlannerFlowTests.approve(port, runID)
            _ = try await PlannerFlowTests.finished(port, runID)

            // An id this store never gave: the client is told to reload, with the newest change's number.
            let (_, _, futureReader) = try await Self.open(client, port: port, lastEventID: "999999")
            var future = futureReader
            let gap = try await future.next()
            #expect(gap?.type == "gap")
            let newest = try #require(gap?.data?["newest"]?.numberValue.map { Int64($0) })
            events += try await reader.events { $0.id == "\(newest)" }

            #expect(events.allSatisfy { $0.type == "run" && $0.data?["id"]?.stringValue == runID })
            let ids = events.compactMap { $0.id.flatMap(Int64.init) }
            #expect(ids.count == events.count)
            #expect(ids == Array((ids.first ?? 0)...newest), "one numbered event per change: \(ids)")
            #expect(events.last?.data?["status"] == "succeeded")
            #expect(events.last?.data?["steps"]?.arrayValue?.allSatisfy { $0["outcome"] != .null } == true)

            // A client that saw the third change gets exactly the ones after it.
            let (_, _, resumedReader) = try await Self.open(client, port: port, lastEventID: "\(ids[2])")
            var resumed = resumedReader
            let again = try await resumed.events { $0.id == "\(newest)" }
            #expect(again.compactMap(\.id) == ids.dropFirst(3).map { "\($0)" })

            // The largest id there is: a gap too, not an overflow.
            let (edgeStatus, _, edgeReader) = try await Self.open(client, port: port, lastEventID: "\(Int64.max)")
            #expect(edgeStatus == .ok)
            var edge = edgeReader
            #expect(try await edge.next()?.type == "gap")
        }
    }

    @Test("a Last-Event-ID that is not a number is refused")
    func invalidLastEventID() async throws {
        let client = HTTPClient.shared
        try await RemediationFlowTests.withFlow { port, _, _, _, _ in
            let (status, _, _) = try await Self.open(client, port: port, lastEventID: "abc")
            #expect(status == .badRequest)
        }
    }
}
