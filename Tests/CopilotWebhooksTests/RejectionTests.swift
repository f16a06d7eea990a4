import CopilotCore
import CopilotTesting
import CopilotWebhooks
import Testing

/// Bad input answers with exactly CONTRACT §2's code and status, first failing check first.
@Suite struct RejectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var source: EventSource
        var expected: WebhookError
        var request: @Sendable () -> WebhookRequest
        var testDescription: String { "\(source): \(name)" }
    }

    @Test("bad input is rejected with its exact code and status", arguments: cases)
    func rejects(_ testCase: Case) {
        let error = Fixtures.rejection(testCase.request(), to: Fixtures.receiver(testCase.source))
        #expect(error == testCase.expected)
        #expect(error?.code == testCase.expected.code)
        #expect(error?.httpStatus == testCase.expected.httpStatus)
    }

    @Test("the table covers every source and every receive error")
    func tableCoverage() {
        #expect(Set(Self.cases.map(\.source)) == Set(EventSource.allCases))
        let codes: Set<String> = [
            "unsupported_media_type", "missing_signature", "invalid_signature", "stale_timestamp", "invalid_json",
            "invalid_payload",
        ]
        #expect(Set(Self.cases.map(\.expected.code)) == codes)
    }

    @Test("codes and statuses are CONTRACT §2's, and messages say nothing specific")
    func codes() {
        let expected: [(WebhookError, String, Int)] = [
            (.unsupportedMediaType, "unsupported_media_type", 415),
            (.missingSignature, "missing_signature", 401),
            (.invalidSignature, "invalid_signature", 401),
            (.staleTimestamp, "stale_timestamp", 401),
            (.invalidJSON, "invalid_json", 400),
            (.invalidPayload, "invalid_payload", 400),
        ]
        for (error, code, status) in expected {
            #expect(error.code == code)
            #expect(error.httpStatus == status)
            #expect(!error.message.isEmpty)
            #expect(!error.message.contains("secret"))
        }
    }

    @Test(
        "JSON media types with parameters, any case, and +json suffixes are accepted",
        arguments: [
            "application/json", "Application/JSON", "application/json; charset=utf-8",
            " application/json ;charset=UTF-8", "application/vnd.github+json",
            "APPLICATION/CLOUDEVENTS+JSON; charset=utf-8",
        ]
    )
    func mediaTypes(contentType: String) throws {
        let request = Self.github("", .invalidJSON) { $0["content-type"] = contentType }.request()
        #expect(Fixtures.rejection(request, to: Fixtures.github) == nil)
    }

    @Test("a receiver with no secrets or an empty token accepts nothing")
    func failsClosed() {
        let noSecrets = WebhookReceiver(configuration: .init(source: .github, verification: .hmacSHA256(secrets: [])))
        #expect(Fixtures.rejection(Self.github("", .invalidJSON).request(), to: noSecrets) == .invalidSignature)
        let emptyToken = WebhookReceiver(configuration: .init(source: .alertmanager, verification: .bearer(token: "")))
        for authorization in ["Bearer ", "Bearer x"] {
            let request = Self.alertmanager("", .invalidJSON, authorization: authorization).request()
            #expect(Fixtures.rejection(request, to: emptyToken) == .invalidSignature)
        }
    }
}
