import CopilotAuth
import CopilotCore
import CopilotServer
import CopilotTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Synchronization
import Testing

/// CONTRACT §6, `auth.jwt`: JWTs verified with jwt-kit, algorithms pinned, time and audience checked,
/// roles from the configured claim.
@Suite(.timeLimit(.minutes(1)))
struct OperatorJWTTests {
    static let secret = "jwt-test-secret-0123456789abcdef0123456789abcdef0123456789abcdef"
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    struct Token: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var groups: [String]?

        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    static func token(
        _ configure: (inout Token) -> Void = { _ in },
        secret: String = OperatorJWTTests.secret,
        digest: DigestAlgorithm = .sha256
    ) async throws -> String {
        var token = Token(
            sub: "alice",
            exp: ExpirationClaim(value: now.addingTimeInterval(600)),
            nbf: NotBeforeClaim(value: now.addingTimeInterval(-60)),
            iss: "https://idp.example",
            aud: "copilot-agent",
            groups: ["operator"]
        )
        configure(&token)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        return try await keys.sign(token)
    }

    /// The router over a store, accepting JWTs signed with `secret` (HS256 only), roles in `groups`.
    static func application() async throws -> some ApplicationProtocol {
        let store = MemoryRunStore()
        let jwt = try await OperatorJWT(
            settings: .init(
                algorithms: ["HS256"],
                secret: secret,
                issuer: "https://idp.example",
                audience: "copilot-agent",
                rolesClaim: "groups"
            ),
            now: { now }
        )
        return Application(
            router: buildRouter(
                configuration: ServerConfiguration(),
                dependencies: ServerDependencies(
                    inbox: store,
                    receivers: [:],
                    readiness: Readiness(),
                    runs: store,
                    operators: OperatorAccess(
                        authenticator: OperatorAuthenticator(keys: store, tokens: jwt, now: { now }),
                        roles: OperatorRoles()
                    )
                )
            )
        )
    }

    /// `header.payload.signature` with the header replaced by `header` (base64url JSON).
    static func withHeader(_ token: String, _ header: String) -> String {
        let encoded = Data(header.utf8).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
        return ([encoded] + token.split(separator: ".").dropFirst().map(String.init)).joined(separator: ".")
    }

    @Test("a valid token acts with its roles; every broken one is 401, a missing role 403")
    func cases() async throws {
        let valid = try await Self.token()
        let refused: [(String, String)] = [
            ("expired", try await Self.token { $0.exp = ExpirationClaim(value: Self.now.addingTimeInterval(-120)) }),
            (
                "not yet valid",
                try await Self.token { $0.nbf = NotBeforeClaim(value: Self.now.addingTimeInterval(600)) }
            ),
            ("wrong issuer", try await Self.token { $0.iss = "https://evil.example" }),
            ("wrong audience", try await Self.token { $0.aud = "another-service" }),
            ("missing roles claim", try await Self.token { $0.groups = nil }),
            ("no expiry", try await Self.token { $0.exp = nil }),
            (
                "another secret",
                try await Self.token(secret: "not-the-secret-0123456789abcdef0123456789abcdef0123456789abcd")
            ),
            ("HS384 when only HS256 is pinned", try await Self.token(digest: .sha384)),
            (
                "alg none",
                Self.withHeader(valid, #"{"alg":"none","typ":"JWT"}"#).split(separator: ".").dropLast().joined(
                    separator: "."
                ) + "."
            ),
            ("RS256 header on an HMAC signature", Self.withHeader(valid, #"{"alg":"RS256","typ":"JWT"}"#)),
            (
                "tampered payload",
                {
                    var parts = valid.split(separator: ".").map(String.init)
                    parts[1] = Data(
                        #"{"sub":"mallory","groups":["admin"],"aud":"copilot-agent","iss":"https://idp.example"}"#.utf8
                    )
                    .base64EncodedString().replacing("=", with: "")
                    return parts.joined(separator: ".")
                }()
            ),
            ("not a JWT", "eyJ.not.a-token"),
        ]
        try await Self.application().test(.router) { client async throws in
            let ok = try await client.execute(
                uri: "/api/v1/runs",
                method: .get,
                headers: [.authorization: "Bearer \(valid)"]
            )
            #expect(ok.status == .ok)
            let cancel = try await client.execute(
                uri: "/api/v1/runs/nope/cancel",
                method: .post,
                headers: [.authorization: "Bearer \(valid)"]
            )
            #expect(cancel.status == .notFound, "an operator may cancel; the run does not exist")
            let reload = try await client.execute(
                uri: "/api/v1/events/nope/replay",
                method: .post,
                headers: [.authorization: "Bearer \(valid)"]
            )
            #expect(reload.status == .forbidden, "an operator may not replay")
            for (name, token) in refused {
                let response = try await client.execute(
                    uri: "/api/v1/runs",
                    method: .get,
                    headers: [.authorization: "Bearer \(token)"]
                )
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(name)")
            }
        }
    }

    @Test("a token remembered after its first use still expires")
    func rememberedTokenExpires() async throws {
        let clock = Mutex(Self.now)
        let jwt = try await OperatorJWT(
            settings: .init(algorithms: ["HS256"], secret: Self.secret, rolesClaim: "groups"),
            now: { clock.withLock { $0 } }
        )
        let token = try await Self.token()
        guard case .success(let caller) = await jwt.verify(token) else {
            Issue.record("a valid token is accepted")
            return
        }
        #expect(caller.name == "jwt:alice" && caller.roles == ["operator"])
        #expect(try await jwt.verify(token).get() == caller, "the second use is the same operator")
        clock.withLock { $0 = Self.now.addingTimeInterval(3600) }
        #expect(await jwt.verify(token) == .failure(.expired))
    }

    @Test("a secret shorter than the hash is refused before any key is made")
    func shortSecret() async {
        await #expect(throws: OperatorJWT.InvalidSettings.secretTooShort(algorithm: "HS256", minimum: 32)) {
            try await OperatorJWT(settings: .init(algorithms: ["HS256"], secret: "short"))
        }
    }
}
