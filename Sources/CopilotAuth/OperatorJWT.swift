public import CopilotCore
import CopilotExpressions
import JWTKit
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// JWTs for operators (CONTRACT §6, `auth.jwt`), verified with jwt-kit: the algorithms are pinned to
/// `auth.jwt.algorithms` (HMAC with `auth.jwt.secret`), so `none` and a token claiming another
/// algorithm are refused before any key is tried; `exp` and `nbf` hold with a small leeway; `iss` and
/// `aud` when configured; `exp` and `sub` are required; the roles come from `roles_claim` (a list of
/// role names, or one).
public struct OperatorJWT: Sendable {
    public struct Settings: Sendable, Hashable {
        /// `HS256`, `HS384`, `HS512`.
        public var algorithms: [String]
        public var secret: String
        public var issuer: String
        public var audience: String
        public var rolesClaim: String
        /// Clock skew allowed on `exp` and `nbf`.
        public var leeway: Double

        public init(
            algorithms: [String],
            secret: String,
            issuer: String = "",
            audience: String = "",
            rolesClaim: String = "roles",
            leeway: Double = 30
        ) {
            self.algorithms = algorithms
            self.secret = secret
            self.issuer = issuer
            self.audience = audience
            self.rolesClaim = rolesClaim
            self.leeway = leeway
        }

        /// The algorithms this service can verify with a shared secret.
        public static let supported = ["HS256", "HS384", "HS512"]
    }

    /// The claims jwt-kit decodes; the roles claim, whose name is configured, is read from the verified
    /// payload afterwards.
    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?

        // Time and audience are checked by `OperatorJWT.verify`, with the configured leeway.
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    let settings: Settings
    /// One collection per pinned algorithm, each holding only that algorithm's key: the token's `alg`
    /// picks the collection, so no token is ever checked with another algorithm's key.
    let keys: [String: JWTKeyCollection]
    let now: @Sendable () -> Date
    /// Tokens already verified, with the times that bound them: a client sends the same token with
    /// every request until it expires, and jwt-kit's verification costs ten times the key lookup.
    private let verified = Verified()

    /// Why the settings cannot verify anything.
    public enum InvalidSettings: Error, Sendable, Hashable, CustomStringConvertible {
        /// RFC 7518 §3.2: an HMAC key at least as long as the hash (32, 48, 64 bytes).
        case secretTooShort(algorithm: String, minimum: Int)

        public var description: String {
            switch self {
            case .secretTooShort(let algorithm, let minimum):
                "the secret is too short for \(algorithm): it needs at least \(minimum) bytes"
            }
        }
    }

    public init(settings: Settings, now: @escaping @Sendable () -> Date = { Date() }) async throws(InvalidSettings) {
        self.settings = settings
        self.now = now
        var keys: [String: JWTKeyCollection] = [:]
        for algorithm in settings.algorithms {
            let digest: (DigestAlgorithm, bytes: Int)? =
                switch algorithm {
                case "HS256": (.sha256, 32)
                case "HS384": (.sha384, 48)
                case "HS512": (.sha512, 64)
                default: nil
                }
            guard let (digest, minimum) = digest else { continue }
            guard settings.secret.utf8.count >= minimum else {
                throw .secretTooShort(algorithm: algorithm, minimum: minimum)
            }
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(from: settings.secret), digestAlgorithm: digest)
            keys[algorithm] = collection
        }
        self.keys = keys
    }

    /// The operator a token names, or why it is refused.
    public func verify(_ token: String) async -> Result<Operator, AuthenticationFailure> {
        if let entry = verified.entry(token) { return check(entry) }
        switch await verifySignedClaims(token) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let entry):
            verified.remember(token, entry)
            return check(entry)
        }
    }

    /// The times, checked at every use (a verified token is remembered, and expires all the same).
    private func check(_ entry: Verified.Entry) -> Result<Operator, AuthenticationFailure> {
        let now = now()
        if let exp = entry.expires, exp.addingTimeInterval(settings.leeway) <= now { return .failure(.expired) }
        if let nbf = entry.notBefore, nbf.addingTimeInterval(-settings.leeway) > now { return .failure(.invalid) }
        return .success(entry.caller)
    }

    /// The algorithm, the signature, the issuer, the audience and the roles: what does not change.
    private func verifySignedClaims(_ token: String) async -> Result<Verified.Entry, AuthenticationFailure> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let payload = Self.json(parts[1]),
            let algorithm = header["alg"]?.stringValue, let collection = keys[algorithm]
        else { return .failure(.invalid) }
        let claims: Claims
        do {
            claims = try await collection.verify(token, as: Claims.self)
        } catch {
            return .failure(.invalid)
        }
        // A token without an expiry would work forever, and one without a subject would be nobody in
        // particular in every decision: both are refused.
        guard let expires = claims.exp?.value, let subject = claims.sub?.value, !subject.isEmpty else {
            return .failure(.invalid)
        }
        if !settings.issuer.isEmpty, claims.iss?.value != settings.issuer { return .failure(.invalid) }
        if !settings.audience.isEmpty, claims.aud?.value.contains(settings.audience) != true {
            return .failure(.invalid)
        }
        let roles: [String] =
            switch payload[settings.rolesClaim] {
            case .string(let role)?: [role]
            case .array(let values)?: values.compactMap(\.stringValue)
            default: []
            }
        guard !roles.isEmpty else { return .failure(.invalid) }
        return .success(
            Verified.Entry(
                caller: Operator(name: "jwt:\(subject)", roles: roles, credential: .jwt),
                expires: expires,
                notBefore: claims.nbf?.value
            )
        )
    }

    static func json(_ segment: Substring) -> JSONValue? {
        var text = String(segment).replacing("-", with: "+").replacing("_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return try? JSONValue(parsing: Array(data))
    }
}

/// Verified tokens by their text, bounded: emptied when full, so a flood of distinct tokens costs
/// verification, not memory.
private final class Verified: Sendable {
    struct Entry: Sendable {
        var caller: Operator
        var expires: Date?
        var notBefore: Date?
    }

    static let limit = 4096
    /// By the token's bytes: `String` equality is canonical equivalence, and a token that differs in
    /// its bytes is another token.
    private let entries = Mutex<[[UInt8]: Entry]>([:])

    func entry(_ token: String) -> Entry? {
        entries.withLock { $0[Array(token.utf8)] }
    }

    func remember(_ token: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[Array(token.utf8)] = entry
        }
    }
}
