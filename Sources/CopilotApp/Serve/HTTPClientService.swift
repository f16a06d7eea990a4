import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// Owns the one outbound `HTTPClient` (STYLE §B5): it runs until graceful shutdown, then shuts the client
/// down. First in the service group, so it stops last, after every service that makes calls.
struct HTTPClientService: Service {
    let client: HTTPClient

    /// A client with a bounded connect time: a dead dependency must fail a step, not hang it.
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
