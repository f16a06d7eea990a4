public import CopilotCore
import Foundation

/// The `RunStore` port's semantics as executable checks, run against every backend (STYLE §B7):
/// `@Test(arguments: RunStoreContract.checks)` and a fresh store per check. A check throws
/// `RunStoreContract.Failure` naming the broken promise.
public enum RunStoreContract {
    public typealias Check = ContractCheck<any RunStore>
    public typealias Failure = ContractFailure

    /// Every check of the contract.
    public static let checks: [Check] =
        matchingChecks + claimChecks + decisionChecks + queryChecks + planChecks + apiKeyChecks + auditChecks
        + changeChecks

    // MARK: Fixtures

    /// A fixed instant, so that dates round-trip exactly through every backend.
    static let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func delivery(_ name: String) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: "evt-\(name)"),
            source: .incident,
            deliveryID: DeliveryID(rawValue: "del-\(name)"),
            type: "incident.detected",
            subject: "payments",
            receivedAt: t0,
            headers: ["content-type": "application/json"],
            body: Array(#"{"incident":{"id":"\#(name)"}}"#.utf8)
        )
    }

    static func newRun(
        _ id: String,
        event: String,
        playbook: String = "rollback",
        subject: String = "",
        key: String? = nil,
        limit: Int? = nil,
        at seconds: Double = 0
    ) -> Run {
        Run(
            id: RunID(rawValue: id),
            eventID: EventID(rawValue: "evt-\(event)"),
            playbook: PlaybookName(rawValue: playbook),
            subject: subject,
            createdAt: at(seconds),
            concurrencyKey: key,
            concurrencyLimit: key == nil ? nil : limit,
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            steps: [
                RunStep(id: StepID(rawValue: "rollback"), uses: "deploy.rollback"),
                RunStep(id: StepID(rawValue: "verify"), uses: "testbench.run"),
            ]
        )
    }

    /// Stores an event and records its match with these runs.
    @discardableResult
    static func seed(
        _ store: any RunStore,
        event: String,
        runs: [Run],
        cooldown: Int? = nil,
        at seconds: Double = 0
    ) async throws -> EventRecord {
        _ = try await store.enqueue(delivery(event))
        return try await store.recordMatch(
            MatchRecord(
                eventID: EventID(rawValue: "evt-\(event)"),
                at: at(seconds),
                runs: runs.map { MatchRecord.NewRun(run: $0, cooldownSeconds: cooldown) },
                notMatched: []
            )
        )
    }

    // MARK: Assertions

    static func require(
        _ condition: Bool,
        _ message: @autoclosure () -> String,
        file: String = #fileID,
        line: UInt = #line
    ) throws {
        try requireContract(condition, message(), file: file, line: line)
    }

    static func requireError<T>(
        _ expected: RunStoreError,
        line: UInt = #line,
        _ body: () async throws(RunStoreError) -> T
    ) async throws {
        do {
            _ = try await body()
        } catch {
            try require(error == expected, "expected \(expected), got \(error)", line: line)
            return
        }
        throw Failure(message: "expected \(expected), got no error", line: line)
    }

    static func check(_ name: String, _ body: @escaping @Sendable (any RunStore) async throws -> Void) -> Check {
        Check(name: name, body: body)
    }
}
