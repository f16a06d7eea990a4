import CopilotCore
import CopilotExpressions
import CopilotTesting
import CopilotWebhooks
import Foundation
import Testing

/// The signers round-trip through the receiver for arbitrary bodies, including bytes that need escaping.
@Suite struct SignerRoundTripTests {
    static let bodies: [String] = [
        #"{}"#,
        #"{"action":"opened","repository":{"full_name":"a b/c&d=e+f%"}}"#,
        #"{"text":"üñîçødé ✓ 🚀","nested":{"list":[1,2.5,null,true]}}"#,
    ]

    @Test("GitHub JSON and form deliveries verify for bodies with special characters", arguments: bodies)
    func github(body text: String) throws {
        let json = Array(text.utf8)
        for (body, contentType) in [
            (json, "application/json"), (WebhookSigner.formEncoded(payload: json), "application/x-www-form-urlencoded"),
        ] {
            let headers = WebhookSigner.github(
                secret: Fixtures.githubSecret,
                body: body,
                event: "issues",
                delivery: "d",
                contentType: contentType
            )
            let (_, event) = try #require(
                try Fixtures.deliver(.init(headers: headers, body: body), to: Fixtures.github)
            )
            #expect(event.payload == (try .init(parsing: json)))
        }
    }

    @Test("Standard Webhooks key text round-trips through whsec_ secrets", arguments: [1, 2, 3, 24, 32, 64])
    func standardWebhooksKeys(length: Int) throws {
        let key = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let secret = WebhookSigner.standardWebhooksSecret(key: key)
        #expect(try WebhookSourceConfiguration.standardWebhooksKey(secret) == key)
        #expect(WebhookSigner.standardWebhooksKey(secret) == key)
    }
}
