import CopilotAuth
import CopilotCore
import CopilotTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore

/// Issue 12: what operator authentication and RBAC add to an API request (API keys; JWTs when they land).
///
///     swift run -c release copilot-bench auth [--requests 20000] [--rounds 3]
///
/// Two routers with the same route (`GET /api/v1/runs`, answering a small JSON body), driven in process
/// through Hummingbird's router test client, alternating in the same run: one behind
/// `OperatorAccessMiddleware` (a valid API key, a role that grants `runs.read`, the key cached as after
/// its first request), one without. The overhead is the difference of their per-request times.
struct AuthBenchmark {
    let options: Options

    struct Context: OperatorRequestContext {
        var coreContext: CoreRequestContextStorage
        var caller: Operator?

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
        }
    }

    func run() async throws {
        let requests = max(1, options.int("requests", 20_000))
        let rounds = max(1, options.int("rounds", 3))
        let keys = MemoryRunStore()
        try await TestOperators.install(in: keys)
        let secret = String(repeating: "s", count: 32)
        let jwt = try await OperatorJWT(settings: .init(algorithms: ["HS256"], secret: secret))
        let access = OperatorAccess(
            authenticator: OperatorAuthenticator(keys: keys, tokens: jwt),
            roles: OperatorRoles()
        )
        let token = try await Self.token(secret: secret)
        let credentials: [(String, HTTPFields)] = [
            ("API key", TestOperators.headers("viewer")), ("JWT", [.authorization: "Bearer \(token)"]),
        ]
        var lines = [
            "| round | credential | with auth p50 | without p50 | **overhead p50** | with auth p99 | without p99 | **overhead p99** |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        func us(_ value: Duration) -> String { String(format: "%.1f µs", value.seconds * 1e6) }
        for round in 1...rounds {
            for (name, headers) in credentials {
                let with = try await measure(requests: requests, access: access, headers: headers)
                let without = try await measure(requests: requests, access: nil, headers: headers)
                let p50 = (with.quantile(0.5), without.quantile(0.5))
                let p99 = (with.quantile(0.99), without.quantile(0.99))
                lines.append(
                    "| \(round) | \(name) | \(us(p50.0)) | \(us(p50.1)) | \(us(p50.0 - p50.1)) | \(us(p99.0)) | "
                        + "\(us(p99.1)) | \(us(p99.0 - p99.1)) |"
                )
            }
        }
        print("\(requests) requests per measurement, GET /api/v1/runs, role viewer")
        print(lines.joined(separator: "\n"))
        for (name, headers) in credentials {
            print(try await checkAlone(access, name: name, header: headers[.authorization] ?? "", calls: requests * 5))
        }
    }

    /// An HS256 JWT for a viewer, valid for an hour.
    static func token(secret: String) async throws -> String {
        struct Claims: JWTPayload {
            var sub: SubjectClaim
            var exp: ExpirationClaim
            var roles: [String]
            func verify(using algorithm: some JWTAlgorithm) throws {}
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            Claims(sub: "bench", exp: ExpirationClaim(value: Date().addingTimeInterval(3600)), roles: ["viewer"])
        )
    }

    /// The middleware's own work, without the HTTP machinery around it: authenticate the header (a
    /// SHA-256 and a cached lookup) and check the role, `calls` times.
    private func checkAlone(_ access: OperatorAccess, name: String, header: String, calls: Int) async throws -> String {
        var times: [Duration] = []
        times.reserveCapacity(calls)
        for _ in 0..<calls {
            let started = ContinuousClock.now
            guard case .success(let caller) = await access.authenticator.authenticate(authorization: header),
                access.roles.allows(caller.roles, .runsRead)
            else { throw BenchError("the viewer's \(name) was refused") }
            times.append(started.duration(to: .now))
        }
        times.sort()
        func us(_ value: Duration) -> String { String(format: "%.2f µs", value.seconds * 1e6) }
        return "authentication + RBAC alone, \(name), \(calls) calls: p50 \(us(times[times.count / 2])), "
            + "p99 \(us(times[min(times.count - 1, times.count * 99 / 100)]))"
    }

    private func measure(
        requests: Int,
        access: OperatorAccess?,
        headers: HTTPFields
    ) async throws -> RunsBenchmark.Measurement {
        let router = Router(context: Context.self)
        if let access {
            router.add(
                middleware: OperatorAccessMiddleware(access: access) { route in
                    route == "GET /api/v1/runs" ? .permission(.runsRead) : nil
                }
            )
        }
        router.get("/api/v1/runs") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"runs":[],"next_cursor":null}"#))
            )
        }
        return try await Application(router: router).test(.router) { client in
            var times: [Duration] = []
            times.reserveCapacity(requests)
            for _ in 0..<(requests / 10) {  // warm-up, and the key's first lookup
                _ = try await client.execute(uri: "/api/v1/runs", method: .get, headers: headers)
            }
            for _ in 0..<requests {
                let started = ContinuousClock.now
                let response = try await client.execute(uri: "/api/v1/runs", method: .get, headers: headers)
                times.append(started.duration(to: .now))
                guard response.status == .ok else { throw BenchError("answered \(response.status)") }
            }
            return RunsBenchmark.Measurement(sorted: times.sorted(), elapsed: .zero)
        }
    }
}
