/// The HTTP server's settings. Config keys: `server.host`, `server.port`, `server.max_body_bytes`,
/// `server.shutdown_grace_seconds`, and `rate_limits.*`, which the server applies (CONTRACT §1).
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var maxBodyBytes: Int
    public var shutdownGraceSeconds: Int
    public var rateLimits: RateLimitsConfiguration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 26_214_400,
        shutdownGraceSeconds: Int = 10,
        rateLimits: RateLimitsConfiguration = RateLimitsConfiguration()
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.rateLimits = rateLimits
    }
}

/// `rate_limits.*`: requests a second, 0 = off. Each allows bursts of one second's worth.
public struct RateLimitsConfiguration: Sendable, Hashable {
    /// Per source, counted over deliveries whose signature holds: forged traffic is refused by its
    /// signature and never uses up a sender's budget.
    public var webhooksPerSecond: Int
    /// Per credential (`APIRateLimitMiddleware`).
    public var apiPerSecond: Int

    public init(webhooksPerSecond: Int = 0, apiPerSecond: Int = 0) {
        self.webhooksPerSecond = webhooksPerSecond
        self.apiPerSecond = apiPerSecond
    }
}
