import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// Owns the one outbound `HTTPClient` (STYLE §B5): it runs until graceful shutdown, then shuts the client
/// down. First in the service group, so it stops last, after every service that makes calls.
struct HTTPClientService: Service {
    let client: HTTPClient

    /// A client with a bounded connect time: a dead dependency must fail a step, not hang it.
    ///
    /// Its own client spans are off: they record the full URL with its query, where a site preset may
    /// put a secret. The actions' and the planner's clients start their spans themselves (CONTRACT §7).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
