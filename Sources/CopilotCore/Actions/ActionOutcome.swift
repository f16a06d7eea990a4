public import CopilotExpressions

/// How one attempt at an action ended.
public enum ActionOutcome: Sendable, Hashable {
    /// The action did what it was asked; `outputs` become `steps.<id>.outputs`.
    case succeeded(outputs: JSONObject)
    /// The action failed; the failure says whether another attempt may help.
    case failed(ActionFailure)

    /// A failure with its classification (STYLE §B4): `retryable` for 429, 5xx, timeouts and lost
    /// connections; not for other 4xx, a missing integration or a forbidden URL.
    public static func failed(
        retryable: Bool,
        reason: String,
        retryAfter: Duration? = nil,
        outputs: JSONObject = [:]
    ) -> ActionOutcome {
        .failed(ActionFailure(retryable: retryable, reason: reason, retryAfter: retryAfter, outputs: outputs))
    }

    /// The outputs the action produced, also when it failed.
    public var outputs: JSONObject {
        switch self {
        case .succeeded(let outputs): outputs
        case .failed(let failure): failure.outputs
        }
    }

    /// The failure, or nil when the action succeeded.
    public var failure: ActionFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }

    public var isSuccess: Bool { failure == nil }
}
