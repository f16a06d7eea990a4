import CopilotCore
import CopilotExpressions
import Foundation
import Testing

/// A stored delivery becomes its `Event` in Core: the worker and the events API rebuild it from the body.
@Suite struct DeliveryEventTests {
    static func delivery(_ source: EventSource = .github, contentType: String?, body: String) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: "evt-1"),
            source: source,
            deliveryID: DeliveryID(rawValue: "d-1"),
            type: "push",
            subject: "octo-org/hello-world",
            receivedAt: Date(timeIntervalSince1970: 1_764_000_000),
            headers: contentType.map { ["content-type": $0] } ?? [:],
            body: Array(body.utf8)
        )
    }

    @Test("the event keeps the stored fields and the body as its payload")
    func event() throws {
        let event = try Self.delivery(contentType: "application/json", body: #"{"ref":"refs/heads/main"}"#).event()
        #expect(event.id == EventID(rawValue: "evt-1"))
        #expect(event.source == .github)
        #expect(event.type == "push")
        #expect(event.deliveryID == DeliveryID(rawValue: "d-1"))
        #expect(event.subject == "octo-org/hello-world")
        #expect(event.receivedAt == Date(timeIntervalSince1970: 1_764_000_000))
        #expect(event.payload == ["ref": "refs/heads/main"])
    }

    @Test(
        "JSON media types, with parameters and in any letter case, and structured +json types",
        arguments: [
            "application/json", "Application/JSON; charset=utf-8", " application/json ", "application/vnd.x+json",
        ]
    )
    func jsonTypes(contentType: String) throws {
        #expect(try Self.delivery(contentType: contentType, body: #"{"a":1}"#).event().payload == ["a": 1])
    }

    @Test("a GitHub form delivery's payload field is decoded, + as space and %XX as a byte")
    func form() throws {
        let body = "other=1&payload=%7B%22a%22%3A%22b+c%22%7D"
        let delivery = Self.delivery(contentType: "application/x-www-form-urlencoded", body: body)
        #expect(try delivery.event().payload == ["a": "b c"])
    }

    @Test(
        "a body that holds no JSON document says why",
        arguments: [
            (EventSource.github, "text/plain" as String?, "{}", PayloadError.unsupportedMediaType),
            (.github, nil, "{}", .unsupportedMediaType),
            (.github, "application/+json", "{}", .unsupportedMediaType),
            (.incident, "application/x-www-form-urlencoded", "payload=%7B%7D", .unsupportedMediaType),
            (.github, "application/json", "{", .invalidJSON),
            (.github, "application/x-www-form-urlencoded", "other=%7B%7D", .invalidJSON),
            (.github, "application/x-www-form-urlencoded", "payload=%7G%7D", .invalidJSON),
            (.github, "application/x-www-form-urlencoded", "payload=%7", .invalidJSON),
        ]
    )
    func failures(source: EventSource, contentType: String?, body: String, error: PayloadError) {
        #expect(throws: error) { try Self.delivery(source, contentType: contentType, body: body).event() }
    }

    @Test("event(payload:) keeps every stored field and takes the given payload")
    func replacedPayload() throws {
        let delivery = Self.delivery(contentType: "application/json", body: "{}")
        let event = delivery.event(payload: .null)
        #expect(event.payload == .null)
        #expect(event.contextValue["delivery_id"] == "d-1")
        #expect(event.contextValue["received_at"] == "2025-11-24T16:00:00Z")
    }
}
