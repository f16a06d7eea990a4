public import CopilotExpressions

/// A dot path into an event's payload, as written under `match:` (`incident.labels.environment`).
///
/// A path runs through lists at every level: at a list, every element is followed (lists in lists
/// too), so `pull_request.labels.name` reaches the name of every label. A component that is a whole
/// number indexes a list instead (`alerts.0.labels.alertname`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        /// A member name that is also a list index.
        case keyOrIndex(String, Int)
    }

    /// The path as written.
    public let text: String
    let components: [Component]

    /// Parses a path; throws for an empty path or an empty component (`a..b`, `.a`).
    public init(_ text: String) throws(PatternError) {
        self.text = text
        var components: [Component] = []
        var offset = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty else {
                throw PatternError(message: "the path '\(text)' has an empty component", offset: offset)
            }
            let key = String(part)
            if let index = Int(key), index >= 0, key.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                components.append(.keyOrIndex(key, index))
            } else {
                components.append(.key(key))
            }
            offset += part.count + 1
        }
        self.components = components
    }

    public var description: String { text }

    /// The member names before the first component that may index a list: what a reader of a payload
    /// must keep (whole, from there on) for the path to reach the same values.
    var leadingKeys: [String] {
        var keys: [String] = []
        for component in components {
            guard case .key(let name) = component else { break }
            keys.append(name)
        }
        return keys
    }

    /// True when `predicate` holds for some value the path reaches. Values reached are not unpacked:
    /// a path ending at a list hands the list itself to the predicate.
    public func anyValue(in root: JSONValue, where predicate: (JSONValue) -> Bool) -> Bool {
        Self.visit(root, components[...], predicate)
    }

    /// Every value the path reaches, in document order (for messages; matching uses `anyValue`).
    public func values(in root: JSONValue) -> [JSONValue] {
        var found: [JSONValue] = []
        _ = anyValue(in: root) { value in
            found.append(value)
            return false
        }
        return found
    }

    private static func visit(
        _ value: JSONValue,
        _ rest: ArraySlice<Component>,
        _ predicate: (JSONValue) -> Bool
    ) -> Bool {
        guard let component = rest.first else { return predicate(value) }
        switch value {
        case .object(let members):
            let key: String
            switch component {
            case .key(let name), .keyOrIndex(let name, _): key = name
            }
            guard let member = members[key] else { return false }
            return visit(member, rest.dropFirst(), predicate)
        case .array(let elements):
            if case .keyOrIndex(_, let index) = component {
                guard index < elements.count else { return false }
                return visit(elements[index], rest.dropFirst(), predicate)
            }
            for element in elements where visit(element, rest, predicate) { return true }
            return false
        default:
            return false
        }
    }
}
