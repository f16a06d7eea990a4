import CopilotCore

/// `copilot-agent audit verify` (CONTRACT §1): walks the configured store's audit log from its first
/// record and checks every link and the head. It reads beside a running service. Exit 0 with a summary
/// on standard output; 1 naming the first changed, removed or reordered record; 2 when the
/// configuration or the store cannot be used.
public enum AuditTools {
    public static func verify(configurationPath: String, environment: [String: String]) async -> Int32 {
        await CommandStore.with(
            configurationPath: configurationPath,
            environment: environment,
            access: .readOnly,
            label: "copilot-agent.audit"
        ) { store, _ in
            do {
                let chain = try await store.verifyAudit()
                let head = chain.newest.map { "; head: record \($0.sequence), \($0.hash)" } ?? ""
                print("audit log verified: \(chain.count) records\(head)")
                return 0
            } catch let broken as AuditChain.Break {
                printError("error: the audit log does not verify: \(broken.description)")
                return 1
            } catch {
                printError("error: the audit log cannot be read")
                return 2
            }
        }
    }
}
