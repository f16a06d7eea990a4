import CopilotCore
import CopilotPlaybooks
import Foundation

/// Lays `COPILOT_*` variables over the configuration file's tree before it is read (CONTRACT §1), so an
/// override is checked exactly like the file: same types, same messages.
///
/// A variable's name is `COPILOT_` + the key path upper-cased with `.` as `_`. Because key names contain
/// `_` themselves, names are matched by generating them from the known key paths, not by splitting.
/// Fixed sections (`server`, `log`, …) always exist; in `sources` and `integrations` only the entries
/// written in the file exist, so an override can change an entry but never create one (a source you did
/// not configure stays closed). The named maps `actions`, `secrets` and `rbac` are file-only.
///
/// Each overriding value gets a synthetic position on a negative line; `origins` maps that line back to
/// the variable so diagnostics can name it instead of a place in the file.
struct EnvironmentOverlay {
    static let prefix = "COPILOT_"

    /// Scalar and list keys of the fixed sections.
    static let fixedKeys: [String] = [
        "server.host", "server.port", "server.max_body_bytes", "server.shutdown_grace_seconds",
        "log.level", "log.format",
        "storage.url", "storage.password", "storage.retention_days",
        "playbooks.dir", "playbooks.watch",
        "workers.concurrency",
        "agent.provider", "agent.model", "agent.base_url", "agent.api_key", "agent.max_steps",
        "agent.timeout_seconds", "agent.max_replans",
        "auth.jwt.algorithms", "auth.jwt.secret", "auth.jwt.issuer", "auth.jwt.audience", "auth.jwt.roles_claim",
        "rate_limits.webhooks_per_second", "rate_limits.api_per_second",
    ]

    /// Keys of the entries of `sources` and `integrations`, by entry name.
    static let entryKeys: [String: [String: [String]]] = [
        "sources": [
            "github": ["secrets"],
            "pagerduty": ["secrets"],
            "incident": ["verify", "secrets", "tolerance_seconds", "bearer_token"],
            "alertmanager": ["bearer_token"],
        ],
        "integrations": [
            "testbench": ["url", "token", "timeout_seconds"],
            "github": ["api_url", "token"],
            "incident_manager": ["url", "token"],
            "orchestrator": ["url", "token"],
            "observatory": ["otlp_endpoint", "protocol"],
            "http": ["allow"],
        ],
    ]

    /// Keys whose value is a list of scalars: an override is comma-separated.
    static let listKeys: Set<String> = ["secrets", "allow", "algorithms"]

    var root: YAMLNode
    /// Synthetic line → the variable whose value sits there.
    var origins: [Int: String] = [:]
    /// `COPILOT_*` variables that set nothing, with why, sorted by name.
    var unmatched: [(variable: String, reason: String)] = []

    init(root: YAMLNode?, environment: [String: String]) {
        self.root = root ?? YAMLNode(.mapping([]), at: .start)
        var candidates = Self.fixedKeys
        // A source or an integration exists only when the file names it (CONTRACT §1): a variable for
        // one the file leaves out cannot create it, and says so.
        var unwritten: [String: String] = [:]
        for (section, entries) in Self.entryKeys {
            let written = Set(
                self.root.pairs?.first { $0.keyText == section }?.value.pairs?.compactMap(\.keyText) ?? []
            )
            for (entry, keys) in entries.sorted(by: { $0.key < $1.key }) {
                let paths = keys.map { "\(section).\(entry).\($0)" }
                if written.contains(entry) {
                    candidates += paths
                } else {
                    for path in paths { unwritten[Self.variableName(for: path)] = "\(section).\(entry)" }
                }
            }
        }
        var matched: Set<String> = []
        for keyPath in candidates {
            let name = Self.variableName(for: keyPath)
            guard let value = environment[name] else { continue }
            matched.insert(name)
            let line = -(origins.count + 1)
            origins[line] = name
            let position = YAMLPosition(line: line, column: 1)
            let leaf = keyPath.split(separator: ".").last.map(String.init) ?? keyPath
            let node: YAMLNode =
                Self.listKeys.contains(leaf)
                ? YAMLNode(
                    .sequence(
                        value.split(separator: ",").map {
                            YAMLNode(.scalar(YAMLScalar($0.trimmingWhitespace())), at: position)
                        }
                    ),
                    at: position
                )
                : YAMLNode(.scalar(YAMLScalar(value)), at: position)
            self.root = Self.setting(node, at: keyPath.split(separator: ".").map(String.init)[...], in: self.root)
        }
        unmatched = environment.keys.filter { $0.hasPrefix(Self.prefix) && !matched.contains($0) }.sorted().map {
            variable in
            guard let entry = unwritten[variable] else { return (variable, "names no configuration key; ignored") }
            return (
                variable,
                "'\(entry)' is not in the configuration file, and exists only when the file names it; ignored"
            )
        }
    }

    static func variableName(for keyPath: String) -> String {
        prefix + keyPath.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// `node` with `value` at `path`, creating mappings on the way when missing.
    private static func setting(_ value: YAMLNode, at path: ArraySlice<String>, in node: YAMLNode) -> YAMLNode {
        guard let key = path.first else { return value }
        // A section written with the wrong type keeps it, so that its own type error is reported.
        guard node.pairs != nil || node.isNull else { return node }
        var pairs = node.pairs ?? []
        if let index = pairs.firstIndex(where: { $0.keyText == key }) {
            let child =
                pairs[index].value.isNull ? YAMLNode(.mapping([]), at: pairs[index].value.position) : pairs[index].value
            pairs[index].value = setting(value, at: path.dropFirst(), in: child)
        } else {
            let keyNode = YAMLNode(.scalar(YAMLScalar(key)), at: value.position)
            pairs.append(
                YAMLPair(
                    key: keyNode,
                    value: setting(value, at: path.dropFirst(), in: YAMLNode(.mapping([]), at: value.position))
                )
            )
        }
        return YAMLNode(.mapping(pairs), at: node.position)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
