/// The members of a JSON object, in the order they were written.
///
/// Order matters to GitHub's expression semantics (`foo.*` and `toJSON` list members as written) and
/// makes rendered JSON stable; equality and hashing ignore it, as JSON does (`{"a":1,"b":2}` equals
/// `{"b":2,"a":1}`). Written here rather than taken from swift-collections' `OrderedDictionary` because
/// that type's equality is order-sensitive and this module depends on no package.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The keys in member order.
    public private(set) var keys: [String]
    private var storage: [String: JSONValue]

    public init() {
        keys = []
        storage = [:]
    }

    /// An object from an unordered dictionary: members sorted by key, so the result is deterministic.
    public init(_ dictionary: [String: JSONValue]) {
        keys = dictionary.keys.sorted()
        storage = dictionary
    }

    /// Members in the given order; a repeated key keeps its position and its last value.
    public init(members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// Members as a reader found them, `keys[i]` with `values[i]`; a repeated key keeps its first
    /// position and its last value.
    init(readKeys: [String], values: [JSONValue]) {
        var storage = [String: JSONValue](minimumCapacity: readKeys.count)
        var repeated = false
        for (key, value) in zip(readKeys, values) where storage.updateValue(value, forKey: key) != nil {
            repeated = true
        }
        if repeated {
            var seen = Set<String>()
            self.keys = readKeys.filter { seen.insert($0).inserted }
        } else {
            self.keys = readKeys
        }
        self.storage = storage
    }

    /// Members whose keys are known to differ, in order: both tables are built at their final size,
    /// where `init(members:)` grows them a member at a time (a third of building an event's context).
    /// A repeated key is a programming error: it traps.
    package init(distinctMembers members: [(String, JSONValue)]) {
        keys = members.map(\.0)
        storage = Dictionary(uniqueKeysWithValues: members)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(members: elements)
    }

    /// The value of `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The values in member order.
    public var values: [JSONValue] { keys.map { storage[$0] ?? .null } }

    /// The members as an unordered dictionary.
    public var dictionary: [String: JSONValue] { storage }

    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var result = self
        for key in keys { result.storage[key] = try transform(storage[key] ?? .null) }
        return result
    }

    public func compactMapValues<T>(_ transform: (JSONValue) throws -> T?) rethrows -> [String: T] {
        try storage.compactMapValues(transform)
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
            let key = object.keys[index]
            return (key: key, value: object.storage[key] ?? .null)
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    public var underestimatedCount: Int { keys.count }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}
