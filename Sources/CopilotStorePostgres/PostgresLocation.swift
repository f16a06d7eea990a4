import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL store is: `storage.url` (`postgres://user:pass@host:5432/db?sslmode=…`, or
/// `postgresql://…`), read into the driver's configuration.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// `sslmode` as libpq names it and means it; `prefer` when absent, as libpq does. `prefer` and
    /// `require` encrypt without checking the server's certificate; `verify-ca` checks it against the
    /// system's roots, and `verify-full` the host name too.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    /// The schema the store's tables live in, instead of the user's default search path: how the tests
    /// give each check a store of its own on one database (a database per check made every check wait
    /// for the checkpoint `CREATE DATABASE` takes).
    var schema: String?
    public var database: String
    public var tls: TLSMode

    /// Why a URL is not a PostgreSQL location; the message names what is wrong, never the password.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public init(url text: String) throws(Invalid) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw Invalid(description: "expected postgres://user:pass@host:port/db")
        }
        guard let host = url.host, !host.isEmpty else { throw Invalid(description: "the URL names no host") }
        guard let username = url.user, !username.isEmpty else { throw Invalid(description: "the URL names no user") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw Invalid(description: "the URL names no database") }
        self.host = host
        self.port = url.port ?? 5432
        // `URLComponents` answers the user and password with their percent escapes decoded.
        self.username = username
        self.password = url.password
        self.database = database
        // Only what is acted on: a parameter libpq knows but this store does not (`sslrootcert`,
        // `connect_timeout`, ...) is refused rather than ignored.
        for item in url.queryItems ?? [] where item.name != "sslmode" {
            throw Invalid(description: "unsupported parameter '\(item.name)': only sslmode is read")
        }
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw Invalid(
                description: "unknown sslmode '\(mode)': expected disable, prefer, require, verify-ca or verify-full"
            )
        }
        self.tls = tls
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// The most connections one node opens to the server.
    public static let maximumConnections = 10

    var clientConfiguration: PostgresClient.Configuration {
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateVerification =
            switch self.tls {
            case .disable, .prefer, .require: .none
            case .verifyCA: .noHostnameVerification
            case .verifyFull: .fullVerification
            }
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(client)
            case .require, .verifyCA, .verifyFull: .require(client)
            }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        // The store's locking is written for READ COMMITTED (a statement after an advisory lock sees what
        // the lock's previous holder committed), whatever the database's or role's default. A node that
        // stalls inside a transaction (a frozen VM) must not hold its locks, and every node behind
        // them, for the life of a TCP connection: the server ends such a session after 60 s.
        // A node's transactions are short (a claim, a batch of saves or deliveries) and its listening
        // connection is one more: ten are plenty, and a cluster of nodes stays well inside the server's
        // `max_connections` (100 by default).
        configuration.options.maximumConnections = Self.maximumConnections
        configuration.options.additionalStartupParameters += [
            ("default_transaction_isolation", "read committed"),
            ("idle_in_transaction_session_timeout", "60000"),
        ]
        if let schema { configuration.options.additionalStartupParameters.append(("search_path", schema)) }
        return configuration
    }
}
