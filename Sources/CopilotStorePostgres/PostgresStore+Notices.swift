import Logging
import PostgresNIO

/// What one node tells the others through PostgreSQL's `NOTIFY`: work to claim, or playbooks to read
/// again. A notice is a hint, never the only way: a node that missed one (its listening connection was
/// down) finds the work at its next poll.
public enum ClusterNotice: Sendable, Hashable {
    /// Deliveries were stored: a matching pass may find them.
    case events
    /// Runs became claimable (created, unparked, decided, cancelled).
    case runs
    /// An operator asked `origin` (a node id) for a playbook reload through the API: every other node
    /// reads its own directory again.
    case playbooks(origin: String)

    var payload: String {
        switch self {
        case .events: "events"
        case .runs: "runs"
        case .playbooks(let origin): "playbooks \(origin)"
        }
    }

    init?(payload: String) {
        switch payload {
        case "events": self = .events
        case "runs": self = .runs
        case let text where text.hasPrefix("playbooks "): self = .playbooks(origin: String(text.dropFirst(10)))
        default: return nil
        }
    }
}

extension PostgresStore {
    static let noticeChannel = "copilot_cluster"

    /// The statement that sends `notice` when the transaction it runs in commits. PostgreSQL folds
    /// identical notices of one transaction into one, and sends none for a transaction rolled back.
    static func notifying(_ notice: ClusterNotice) -> PostgresQuery {
        "SELECT pg_notify(\(noticeChannel), \(notice.payload))"
    }

    /// Sends `notice` to every node listening, this one included.
    public func announce(_ notice: ClusterNotice) async {
        do {
            try await client.query(Self.notifying(notice), logger: logger)
        } catch {
            logger.warning(
                "cluster notice not sent; other nodes see the change at their next poll",
                metadata: [
                    "copilot.notice": "\(notice.payload)", "error.type": "\(String(reflecting: type(of: error)))",
                ]
            )
        }
    }

    /// Listens on one pooled connection until the task is cancelled, calling `receive` for each notice.
    /// A lost connection is listened on again after `retry`; meanwhile polling bounds what is missed.
    public func listen(retry: Duration = .seconds(1), _ receive: @Sendable (ClusterNotice) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.noticeChannel) { notices in
                        for try await notice in notices {
                            if let notice = ClusterNotice(payload: notice.payload) { receive(notice) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "listening for cluster notices failed; polling until it is back",
                    metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
                )
            }
            try? await Task.sleep(for: retry)
        }
    }
}
