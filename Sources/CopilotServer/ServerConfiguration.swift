/// The HTTP server's settings. Config keys: `server.host`, `server.port`, `server.max_body_bytes`,
/// `server.shutdown_grace_seconds` (CONTRACT §1).
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var maxBodyBytes: Int
    public var shutdownGraceSeconds: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 26_214_400,
        shutdownGraceSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}
