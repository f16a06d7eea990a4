import CopilotCore
import CopilotTesting
import CopilotWebhooks
import Foundation
import Testing

/// The published known-answer vectors of `signatures/vectors.json`.
@Suite struct SignatureVectorTests {
    struct Vectors: Decodable {
        struct GitHub: Decodable {
            var secret: String
            var payload: String
            var header: String
        }
        struct StandardWebhooks: Decodable {
            var secret: String
            var webhook_id: String
            var webhook_timestamp: String
            var payload: String
            var webhook_signature: String
        }
        var github_x_hub_signature_256: [GitHub]
        var standard_webhooks_v1: [StandardWebhooks]
    }

    static func vectors() throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Data(try Corpus.bytes("signatures/vectors.json")))
    }

    @Test("GitHub's documented X-Hub-Signature-256 example verifies, and the signer reproduces it")
    func githubVector() throws {
        let vectors = try Self.vectors().github_x_hub_signature_256
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let receiver = WebhookReceiver(
                configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(vector.secret.utf8)]))
            )
            // The payload is not JSON, so a verified signature surfaces as the next check: invalid_json.
            let request = WebhookRequest(
                headers: [
                    "content-type": "application/json", "x-hub-signature-256": vector.header,
                    "x-github-event": "push", "x-github-delivery": "1",
                ],
                body: Array(vector.payload.utf8)
            )
            #expect(Fixtures.rejection(request, to: receiver) == .invalidJSON)
            #expect(
                WebhookSigner.githubSignature(secret: vector.secret, body: Array(vector.payload.utf8)) == vector.header
            )

            var tampered = request
            tampered.body[0] ^= 0x01
            #expect(Fixtures.rejection(tampered, to: receiver) == .invalidSignature)
        }
    }

    @Test("the Standard Webhooks vector verifies with the clock at its timestamp, and is stale with a real clock")
    func standardWebhooksVector() throws {
        let vectors = try Self.vectors().standard_webhooks_v1
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let key = try WebhookSourceConfiguration.standardWebhooksKey(vector.secret)
            let receiver = WebhookReceiver(
                configuration: .init(
                    source: .incident,
                    verification: .standardWebhooks(keys: [key], toleranceSeconds: 300)
                )
            )
            let request = WebhookRequest(
                headers: [
                    "content-type": "application/json", "webhook-id": vector.webhook_id,
                    "webhook-timestamp": vector.webhook_timestamp, "webhook-signature": vector.webhook_signature,
                ],
                body: Array(vector.payload.utf8)
            )
            let signedAt = Date(timeIntervalSince1970: try #require(TimeInterval(vector.webhook_timestamp)))
            // Verified; the body lacks the incident fields, so the next check answers.
            #expect(Fixtures.rejection(request, to: receiver, at: signedAt) == .invalidPayload)
            #expect(Fixtures.rejection(request, to: receiver, at: Date()) == .staleTimestamp)
            #expect(
                WebhookSigner.standardWebhooksSignature(
                    secret: vector.secret,
                    id: vector.webhook_id,
                    timestamp: vector.webhook_timestamp,
                    body: Array(vector.payload.utf8)
                ) == vector.webhook_signature
            )

            var tamperedBody = request
            tamperedBody.body[tamperedBody.body.count - 2] ^= 0x01
            #expect(Fixtures.rejection(tamperedBody, to: receiver, at: signedAt) == .invalidSignature)
            var tamperedID = request
            tamperedID.headers["webhook-id"] = vector.webhook_id + "x"
            #expect(Fixtures.rejection(tamperedID, to: receiver, at: signedAt) == .invalidSignature)
        }
    }

    @Test("whsec_ secrets decode with or without the prefix and malformed ones throw")
    func standardWebhooksKeys() throws {
        let key = try WebhookSourceConfiguration.standardWebhooksKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(key.count == 24)
        #expect(try WebhookSourceConfiguration.standardWebhooksKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == key)
        #expect(try WebhookSourceConfiguration.standardWebhooksKey("whsec_AAEC") == [0, 1, 2])
        #expect(try WebhookSourceConfiguration.standardWebhooksKey("whsec_AAE=") == [0, 1])
        #expect(try WebhookSourceConfiguration.standardWebhooksKey("whsec_AAE") == [0, 1])
        for bad in ["whsec_", "", "whsec_not base64!", "whsec_A", "whsec_AA=A", "whsec_AAE==="] {
            #expect(throws: WebhookError.invalidSecret, "\(bad)") {
                try WebhookSourceConfiguration.standardWebhooksKey(bad)
            }
        }
    }
}
