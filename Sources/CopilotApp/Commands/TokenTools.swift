import CopilotAuth
import CopilotCore
import Foundation
import Logging

/// `copilot-agent token create|list|revoke` (CONTRACT §1, §6): operator API keys in the configured
/// store, the same keys `/api/v1/tokens` manages. `create` prints the key alone on standard output;
/// everything else goes to standard error. Exit 0, 1 when the request is refused, 2 when the
/// configuration or the store cannot be used.
public enum TokenTools {
    public static func create(
        role: String,
        name: String?,
        ttl: String?,
        configurationPath: String,
        environment: [String: String]
    ) async -> Int32 {
        await withIssuer(configurationPath, environment) { issuer in
            do throws(APIKeyIssuer.Problem) {
                let (key, record) = try await issuer.create(role: role, name: name, ttl: ttl)
                printError("created \(record.id) '\(record.name)' with role \(record.role)" + expiry(record))
                print(key)
                return 0
            } catch {
                printError("error: \(error.description)")
                return 1
            }
        }
    }

    public static func list(configurationPath: String, environment: [String: String]) async -> Int32 {
        await withIssuer(configurationPath, environment) { issuer in
            do {
                for record in try await issuer.list() {
                    let state = record.revokedAt != nil ? "revoked" : record.isValid(at: Date()) ? "active" : "expired"
                    print("\(record.id)\t\(record.name)\t\(record.role)\t\(state)" + expiry(record))
                }
                return 0
            } catch {
                printError("error: the store cannot be read")
                return 2
            }
        }
    }

    public static func revoke(id: String, configurationPath: String, environment: [String: String]) async -> Int32 {
        await withIssuer(configurationPath, environment) { issuer in
            do throws(RunStoreError) {
                let record = try await issuer.revoke(id: id)
                printError("revoked \(record.id) '\(record.name)'")
                return 0
            } catch .notFound {
                printError("error: no key '\(id)'")
                return 1
            } catch {
                printError("error: the store cannot be written")
                return 2
            }
        }
    }

    private static func expiry(_ record: APIKeyRecord) -> String {
        record.expiresAt.map { ", expires \($0.formatted(.iso8601))" } ?? ""
    }

    /// The issuer over the configured store, with the configured roles.
    private static func withIssuer(
        _ configurationPath: String,
        _ environment: [String: String],
        _ body: (APIKeyIssuer) async -> Int32
    ) async -> Int32 {
        await CommandStore.with(
            configurationPath: configurationPath,
            environment: environment,
            access: .exclusive,
            label: "copilot-agent.token"
        ) { store, configuration in
            let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
            let status = await body(
                APIKeyIssuer(store: store, roles: configuration.operatorRoles, localActor: "cli:\(user)")
            )
            try? await store.checkpoint()
            return status
        }
    }
}
