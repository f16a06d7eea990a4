/// The HTTP server's settings. Config keys: `server.host`, `server.port`, `server.max_body_bytes`,
/// `server.shutdown_grace_seconds`, `server.tls`, and `rate_limits.*`, which the server applies
/// (CONTRACT §1).
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var maxBodyBytes: Int
    public var shutdownGraceSeconds: Int
    public var rateLimits: RateLimitsConfiguration
    /// `server.tls: {cert, key}`: PEM files for a TLS 1.3 listener; nil serves plain HTTP.
    public var tls: TLSFiles?

    /// A certificate chain and its private key, as PEM files.
    public struct TLSFiles: Sendable, Hashable {
        public var certificate: String
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 26_214_400,
        shutdownGraceSeconds: Int = 10,
        rateLimits: RateLimitsConfiguration = RateLimitsConfiguration(),
        tls: TLSFiles? = nil
    ) {
        self.tls = tls
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
