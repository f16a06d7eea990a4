public import CopilotExpressions

/// Where an action points, derived from the event unless `with:` overrides it (CONTRACT §5 and §8).
///
/// Pure functions: no I/O, no defaults from configuration.
public enum ActionTargets {
    /// A GitHub repository, `owner/name`.
    public struct GitHubRepository: Sendable, Hashable, CustomStringConvertible {
        public var owner: String
        public var name: String

        public init(owner: String, name: String) {
            self.owner = owner
            self.name = name
        }

        /// Reads `owner/name`: exactly two non-empty parts.
        public init?(fullName: String) {
            let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(owner: String(parts[0]), name: String(parts[1]))
        }

        public var description: String { "\(owner)/\(name)" }
    }

    /// Payload paths that carry the commit a GitHub event is about, in the order they are tried.
    public static let gitHubSHAPaths: [[String]] = [
        ["pull_request", "head", "sha"], ["check_run", "head_sha"], ["check_suite", "head_sha"],
        ["workflow_run", "head_sha"], ["after"],
    ]

    /// Payload paths that carry the issue or pull request number, in the order they are tried.
    public static let gitHubNumberPaths: [[String]] = [["pull_request", "number"], ["issue", "number"], ["number"]]

    /// `with.repo`, else the subject of a GitHub event (`repository.full_name`).
    public static func gitHubRepository(with: JSONObject, event: Event) -> GitHubRepository? {
        if let repo = with["repo"], !repo.isNull {
            return repo.stringValue.flatMap(GitHubRepository.init(fullName:))
        }
        guard event.source == .github else { return nil }
        return GitHubRepository(fullName: event.subject)
    }

    /// `with.sha`, else the first of `gitHubSHAPaths` in the payload. A push that deletes a branch
    /// (`after` all zeros) has no commit.
    public static func gitHubSHA(with: JSONObject, event: Event) -> String? {
        if let sha = with["sha"], !sha.isNull { return nonEmpty(sha.stringValue) }
        for path in gitHubSHAPaths {
            if let sha = nonEmpty(event.payload[path: path]?.stringValue), sha.contains(where: { $0 != "0" }) {
                return sha
            }
        }
        return nil
    }

    /// `with.number`, else the first of `gitHubNumberPaths` in the payload. A number written as text
    /// (`"42"`) is read too.
    public static func gitHubNumber(with: JSONObject, event: Event) -> Int? {
        if let number = with["number"], !number.isNull { return positiveInteger(number) }
        for path in gitHubNumberPaths {
            if let value = event.payload[path: path], let number = positiveInteger(value) { return number }
        }
        return nil
    }

    /// `with.incident_id`, else `event.payload.incident.id`.
    public static func incidentID(with: JSONObject, event: Event) -> String? {
        if let id = with["incident_id"], !id.isNull { return text(id) }
        return event.payload[path: ["incident", "id"]].flatMap(text)
    }

    /// Test-Bench's `target`: `with.target` when it is an object, else derived from the event —
    /// GitHub `{"repository", "ref"?, "pull_request"?}`, incident `{"incident_id", "service"}`,
    /// Alertmanager and PagerDuty `{"service"}`.
    public static func testBenchTarget(with: JSONObject, event: Event) -> JSONObject {
        if let target = with["target"]?.objectValue { return target }
        var target = JSONObject()
        switch event.source {
        case .github:
            target["repository"] = .string(event.subject)
            if let sha = gitHubSHA(with: [:], event: event) { target["ref"] = .string(sha) }
            if let number = gitHubNumber(with: [:], event: event) { target["pull_request"] = .number(Double(number)) }
        case .incident:
            if let id = incidentID(with: [:], event: event) { target["incident_id"] = .string(id) }
            target["service"] = .string(event.subject)
        case .alertmanager, .pagerduty:
            target["service"] = .string(event.subject)
        }
        return target
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// A string as is; a whole number as its digits (ids may be numeric).
    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): return nonEmpty(string)
        case .number(let number):
            guard number.rounded() == number, abs(number) < 1e15 else { return nil }
            return String(Int64(number))
        default: return nil
        }
    }

    private static func positiveInteger(_ value: JSONValue) -> Int? {
        switch value {
        case .number(let number):
            guard number.rounded() == number, number >= 1, number < 1e15 else { return nil }
            return Int(number)
        case .string(let string):
            guard let number = Int(string), number >= 1 else { return nil }
            return number
        default: return nil
        }
    }
}
