/// The values an expression is evaluated against: the named values (`event`, `steps`, `run`,
/// `playbook`) and the run's status.
public struct EvaluationContext: Sendable {
    /// GitHub's limit on the bytes of strings an evaluation may build (`format`, `join`, `toJSON`),
    /// 1 MiB, which keeps a hostile or careless template from exhausting memory.
    public static let defaultMemoryLimit = 1_048_576

    /// Named values; lookup is case-insensitive, as in GitHub Actions.
    public var values: [String: JSONValue]
    /// Answers `success()`, `failure()` and `cancelled()`; `always()` is always true.
    public var status: StatusFunctions
    /// Bytes (counted as GitHub does: 2 per character plus a small overhead per string) that strings
    /// built during one evaluation may occupy at once; beyond it evaluation fails.
    public var memoryLimit: Int

    public init(
        values: [String: JSONValue],
        status: StatusFunctions = .init(),
        memoryLimit: Int = EvaluationContext.defaultMemoryLimit
    ) {
        self.values = values
        self.status = status
        self.memoryLimit = memoryLimit
    }

    /// The named value `name`: an exact match first (the common case, no allocation), then a
    /// case-insensitive one. Nil when there is none, which evaluates as null.
    func value(named name: String) -> JSONValue? {
        if let exact = values[name] { return exact }
        return CaseInsensitive.lookup(name, in: values)?.value
    }
}
