public import CopilotCore
import CopilotPlaybooks
import Foundation

/// Where a secret lives: `env:NAME` or `file:/path` (CONTRACT §1). Secrets are never written in the file.
public struct SecretReference: Sendable, Hashable, CustomStringConvertible {
    public enum Location: Sendable, Hashable {
        case environment(String)
        case file(String)
    }

    public var location: Location
    /// The key the reference was written under (`sources.github.secrets[0]`), for messages.
    public var keyPath: String
    /// Where it was written, for messages; `file` may name an environment variable that overrode it.
    public var origin: Diagnostic

    /// The reference as written. Never the secret itself.
    public var description: String {
        switch location {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }

    /// Parses `env:NAME` / `file:/path`; anything else is a literal secret and is refused. `overrides`
    /// maps the synthetic lines of `COPILOT_*` values to their variables (`EnvironmentOverlay.origins`):
    /// the reference is resolved after loading, and its error must name the variable too.
    static func parse(
        _ text: String,
        keyPath: String,
        node: YAMLNode,
        context: YAMLReadContext,
        overrides: [Int: String]
    ) -> SecretReference? {
        let origin = ConfigurationLoader.attributingOverrides(
            Diagnostic(file: context.file, line: node.position.line, column: node.position.column, message: ""),
            origins: overrides
        )
        if text.hasPrefix("env:"), text.count > 4 {
            return SecretReference(location: .environment(String(text.dropFirst(4))), keyPath: keyPath, origin: origin)
        }
        if text.hasPrefix("file:"), text.count > 5 {
            return SecretReference(location: .file(String(text.dropFirst(5))), keyPath: keyPath, origin: origin)
        }
        context.error(
            "'\(keyPath)' must be a secret reference (env:NAME or file:/path); secrets are never written in the file",
            at: node
        )
        return nil
    }

    /// The secret's value. An unset or empty variable, or an unreadable file, is an error naming the key
    /// and where it was written. One trailing newline of a file is dropped.
    public func resolve(environment: [String: String]) throws(ConfigurationError) -> String {
        switch location {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigurationError(diagnostic: problem("environment variable \(name) is not set or empty"))
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), var value = String(data: data, encoding: .utf8)
            else {
                throw ConfigurationError(diagnostic: problem("cannot read secret file '\(path)'"))
            }
            if value.hasSuffix("\r\n") {
                value.removeLast(2)
            } else if value.hasSuffix("\n") {
                value.removeLast()
            }
            guard !value.isEmpty else {
                throw ConfigurationError(diagnostic: problem("secret file '\(path)' is empty"))
            }
            return value
        }
    }

    func problem(_ reason: String) -> Diagnostic {
        var diagnostic = origin
        diagnostic.message = "cannot resolve secret '\(keyPath)' (\(description)): \(reason)"
        return diagnostic
    }
}

/// A configuration that cannot be used: every problem, each with its position.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
