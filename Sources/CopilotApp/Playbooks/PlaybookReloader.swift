public import CopilotCore
public import CopilotPlaybooks
public import CopilotServer
public import Foundation
public import Logging
import Metrics

/// Loads the playbook directory into the registry: at start-up, when files change, on SIGHUP, and on
/// `POST /api/v1/playbooks/reload`. The whole directory is loaded and swapped in only if every file is
/// valid; otherwise the running set stays and each problem is reported (log, metric, API).
///
/// An actor so that reloads triggered at the same moment (a signal and an API call) run one at a time
/// and the last one read is the one installed.
public actor PlaybookReloader {
    public let directory: String
    public let loader: PlaybookLoader
    public nonisolated let registry: PlaybookRegistry
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Where each reload is recorded, installed or refused; nil for a dry run's loader.
    private let audit: (any AuditLog)?

    public init(
        directory: String,
        loader: PlaybookLoader,
        registry: PlaybookRegistry = PlaybookRegistry(),
        audit: (any AuditLog)? = nil,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.directory = directory
        self.loader = loader
        self.registry = registry
        self.audit = audit
        self.logger = logger
        self.now = now
        Gauge(label: "copilot_playbooks_loaded").record(0)
        Counter(label: "copilot_playbooks_load_errors_total").increment(by: 0)
    }

    /// Reads and validates the directory; installs the set when all is valid. `actor` is who asked (an
    /// operator through the API; the service itself at start-up, on SIGHUP and when files change).
    @discardableResult
    public func reload(reason: String, by actor: String = AuditEntry.serviceActor) async -> PlaybookReloadOutcome {
        let outcome = load(reason: reason)
        var detail = ["reason": reason]
        let action: AuditAction
        switch outcome {
        case .reloaded(let count):
            action = .playbooksReloaded
            detail["playbooks"] = String(count)
        case .refused(let problems):
            action = .playbooksReloadRefused
            detail["problems"] = String(problems.count)
        }
        let entry = AuditEntry(at: now(), actor: actor, action: action, target: "playbooks", detail: detail)
        do {
            try await audit?.appendAudit([entry])
        } catch {
            logger.error("audit record of a playbook reload not stored", metadata: ["error.type": "\(error)"])
        }
        return outcome
    }

    private func load(reason: String) -> PlaybookReloadOutcome {
        let result: Result<PlaybookSet, PlaybookLoadFailure>
        do {
            result = loader.loadSet(try PlaybookDirectory.read(directory))
        } catch {
            let problem = Diagnostic(file: directory, line: 0, column: 0, message: "cannot read the playbook directory")
            result = .failure(PlaybookLoadFailure(diagnostics: [problem]))
        }
        switch result {
        case .success(let set):
            registry.install(set, at: now())
            Gauge(label: "copilot_playbooks_loaded").record(set.count)
            logger.info(
                "playbooks loaded",
                metadata: ["copilot.playbooks.count": "\(set.count)", "copilot.playbooks.reason": "\(reason)"]
            )
            return .reloaded(count: set.count)
        case .failure(let failure):
            registry.refuse(failure.diagnostics)
            Counter(label: "copilot_playbooks_load_errors_total").increment()
            for problem in failure.diagnostics {
                logger.error(
                    "playbook problem; nothing was (re)loaded",
                    metadata: [
                        "copilot.playbooks.file": "\(problem.file)",
                        "copilot.playbooks.position": "\(problem.line):\(problem.column)",
                        "copilot.playbooks.problem": "\(problem.message)",
                        "copilot.playbooks.reason": "\(reason)",
                    ]
                )
            }
            return .refused(failure.diagnostics)
        }
    }
}
