import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import Testing
import X509

/// CONTRACT §1 `server.tls`: a TLS 1.3 listener from PEM files, with a certificate made in the test.
@Suite(.timeLimit(.minutes(1)))
struct TLSListenerTests {
    /// A self-signed P-256 certificate for 127.0.0.1 and its key, as PEM.
    static func selfSigned() throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("127.0.0.1") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: .init(key)
        )
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    static func client(maximum: TLSVersion? = nil, trusting pem: String) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)])
        // The test's certificate names no IP address; the chain is still verified against it.
        tls.certificateVerification = .noHostnameVerification
        if let maximum { tls.maximumTLSVersion = maximum }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    @Test("server.tls serves TLS 1.3 with the configured certificate and refuses TLS 1.2")
    func tls13() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try Self.selfSigned()
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        try Data(certificate.utf8).write(to: URL(fileURLWithPath: certificatePath))
        try Data(key.utf8).write(to: URL(fileURLWithPath: keyPath))
        let yaml = """
            server: { host: 127.0.0.1, port: 0, tls: { cert: "\(certificatePath)", key: "\(keyPath)" } }
            storage: { url: "sqlite://\(directory.path)/copilot.db" }
            playbooks: { dir: "\(directory.path)", watch: false }
            """
        try await withLiveService(configurationYAML: yaml, variables: [:]) { port in
            let modern = try Self.client(trusting: certificate)
            defer { _ = modern.shutdown() }
            let response = try await modern.execute(
                HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"),
                timeout: .seconds(10)
            )
            #expect(response.status == .ok)

            let old = try Self.client(maximum: .tlsv12, trusting: certificate)
            defer { _ = old.shutdown() }
            await #expect(throws: (any Error).self, "a TLS 1.2 client finds no common version") {
                _ = try await old.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"),
                    timeout: .seconds(3)
                )
            }
        }
    }

    @Test("a certificate that cannot be read, or a key that does not fit it, stops the start naming the key")
    func unusable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, _) = try Self.selfSigned()
        let (_, otherKey) = try Self.selfSigned()
        try Data(certificate.utf8).write(to: directory.appendingPathComponent("cert.pem"))
        try Data(otherKey.utf8).write(to: directory.appendingPathComponent("other-key.pem"))
        for (cert, key, named) in [
            ("missing.pem", "other-key.pem", "server.tls.cert"), ("cert.pem", "other-key.pem", "server.tls.key"),
        ] {
            let yaml = """
                server: { host: 127.0.0.1, port: 0, tls: { cert: "\(directory.path)/\(cert)", key: "\(directory.path)/\(key)" } }
                storage: { url: "sqlite://\(directory.path)/copilot.db" }
                playbooks: { dir: "\(directory.path)", watch: false }
                """
            let error = await #expect(throws: (any Error).self) {
                try await withLiveService(configurationYAML: yaml, variables: [:]) { _ in }
            }
            #expect("\(String(describing: error))".contains(named), "\(String(describing: error))")
        }
    }
}
