/// The members of a JSON object, in the order they were written.
///
/// Order matters to GitHub's expression semantics (`foo.*` and `toJSON` list members as written) and
/// makes rendered JSON stable; equality and hashing ignore it, as JSON does (`{"a":1,"b":2}` equals
/// `{"b":2,"a":1}`). Written here rather than taken from swift-collections' `OrderedDictionary` because
/// that type's equality is order-sensitive and this module depends on no package.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The keys in member order.
    public private(set) var keys: [String]
    /// The values in member order: `values[i]` is the value of `keys[i]`.
    public private(set) var values: [JSONValue]
    /// Where each key is in `keys`. A lookup hashes its key once; a walk in member order hashes nothing
    /// (when it looked each member up, hashing was half of writing a webhook payload as JSON).
    private var positions: [String: Int]

    public init() {
        keys = []
        values = []
        positions = [:]
    }

    /// An object from an unordered dictionary: members sorted by key, so the result is deterministic.
    public init(_ dictionary: [String: JSONValue]) {
        self.init(distinctMembers: dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Members in the given order; a repeated key keeps its position and its last value.
    public init(members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// Members as a reader found them, `keys[i]` with `values[i]`; a repeated key keeps its first
    /// position and its last value.
    init(readKeys: [String], values: [JSONValue]) {
        assert(readKeys.count == values.count, "a value for every key")
        var positions = [String: Int](minimumCapacity: readKeys.count)
        var repeated = false
        for (position, key) in readKeys.enumerated() {
            if positions.updateValue(position, forKey: key) != nil {
                repeated = true
                break
            }
        }
        guard !repeated else {
            self.init(members: zip(readKeys, values))
            return
        }
        self.init(keys: readKeys, values: values, positions: positions)
    }

    private init(keys: [String], values: [JSONValue], positions: [String: Int]) {
        self.keys = keys
        self.values = values
        self.positions = positions
    }

    /// Members whose keys are known to differ, in order: the tables are built at their final size,
    /// where `init(members:)` grows them a member at a time (a third of building an event's context).
    /// A repeated key is a programming error: it traps.
    package init(distinctMembers members: [(String, JSONValue)]) {
        let keys = members.map(\.0)
        self.init(
            keys: keys,
            values: members.map(\.1),
            positions: Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
        )
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(members: elements)
    }

    /// The value of `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { values[$0] } }
        set {
            if let newValue {
                if let position = positions[key] {
                    values[position] = newValue
                } else {
                    positions[key] = keys.count
                    keys.append(key)
                    values.append(newValue)
                }
            } else if let position = positions.removeValue(forKey: key) {
                keys.remove(at: position)
                values.remove(at: position)
                for later in position..<keys.count { positions[keys[later]] = later }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The members as an unordered dictionary.
    public var dictionary: [String: JSONValue] { Dictionary(uniqueKeysWithValues: zip(keys, values)) }

    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var result = self
        result.values = try values.map(transform)
        return result
    }

    public func compactMapValues<T>(_ transform: (JSONValue) throws -> T?) rethrows -> [String: T] {
        var result: [String: T] = [:]
        for (key, value) in zip(keys, values) {
            if let transformed = try transform(value) { result[key] = transformed }
        }
        return result
    }

    /// Members in order. A concrete iterator: a closure-based one boxed every step, and every encoding
    /// and match walks objects.
    public struct Iterator: IteratorProtocol {
        private let object: JSONObject
        private var index = 0

        init(_ object: JSONObject) { self.object = object }

        public mutating func next() -> (key: String, value: JSONValue)? {
            guard index < object.keys.count else { return nil }
            defer { index += 1 }
            return (key: object.keys[index], value: object.values[index])
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    public var underestimatedCount: Int { keys.count }

    /// Equal members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        return lhs.count == rhs.count && zip(lhs.keys, lhs.values).allSatisfy { rhs[$0] == $1 }
    }

    /// Independent of member order, as `==` is: the members' hashes are combined by a commutative XOR,
    /// as `Dictionary` combines its elements'.
    public func hash(into hasher: inout Hasher) {
        var members = 0
        for (key, value) in zip(keys, values) {
            var member = hasher
            member.combine(key)
            member.combine(value)
            members ^= member.finalize()
        }
        hasher.combine(count)
        hasher.combine(members)
    }
}
