import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One thing the audit log records (CONTRACT §6, docs/SECURITY.md): who did what to which, and when.
public struct AuditEntry: Sendable, Hashable {
    public var at: Date
    /// Who: an operator as decisions name them (`<key name> (<key id>)`, `jwt:<sub>`), `anonymous`
    /// for a request without a valid credential, a service account (`service-account:<name>`) for an
    /// action a run executed, or the process (`copilot-agent`, `cli:<user>`).
    public var actor: String
    public var action: AuditAction
    /// What it was done to: `run:<id>`, `event:<id>`, `token:<id>`, a route, `playbooks`.
    public var target: String
    /// The particulars (step, comment, reason, …): strings only, so that the stored form is canonical.
    public var detail: [String: String]

    public init(at: Date, actor: String, action: AuditAction, target: String, detail: [String: String] = [:]) {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }

    /// `at` in whole milliseconds, as records store it: an integer has one text, a float does not.
    public var milliseconds: Int64 { Int64((at.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// `detail` as a JSON object with its members sorted: the one text a record stores and hashes.
    public var detailText: String {
        JSONValue.object(JSONObject(detail.mapValues(JSONValue.string))).jsonText
    }
}

/// What an audit record says happened. A string rather than an enum: records written by a later
/// version still read back.
public struct AuditAction: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// An operator API request without a valid credential (401).
    public static let authenticationFailed = AuditAction(rawValue: "auth.failed")
    /// An operator whose role lacks the route's permission (403).
    public static let accessDenied = AuditAction(rawValue: "access.denied")
    public static let runApproved = AuditAction(rawValue: "run.approved")
    public static let runRejected = AuditAction(rawValue: "run.rejected")
    public static let runCancelRequested = AuditAction(rawValue: "run.cancel_requested")
    public static let eventReplayed = AuditAction(rawValue: "event.replayed")
    public static let playbooksReloaded = AuditAction(rawValue: "playbooks.reloaded")
    /// A reload that found invalid files and kept the running set.
    public static let playbooksReloadRefused = AuditAction(rawValue: "playbooks.reload_refused")
    public static let tokenCreated = AuditAction(rawValue: "token.created")
    public static let tokenRevoked = AuditAction(rawValue: "token.revoked")
    /// A step's action was sent (one record per attempt), with its outcome.
    public static let actionExecuted = AuditAction(rawValue: "action.executed")
    /// A step's action was refused by its playbook's service account (`run_as`).
    public static let actionForbidden = AuditAction(rawValue: "action.forbidden")
}
