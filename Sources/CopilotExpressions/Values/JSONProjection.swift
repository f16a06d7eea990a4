/// The parts of a JSON document to keep when reading it; the rest is checked as strictly, then dropped.
///
/// Ingress needs a few fields of a delivery (a GitHub `pull_request` body is ~28 KB for three of them)
/// but must still refuse a body that is not JSON. Building the whole tree only to drop it was the largest
/// cost of accepting a delivery; a projection reads the same bytes, accepts exactly the same documents,
/// and builds only what it keeps.
///
/// A projection of an object keeps the listed members, each under its own projection; of an array, each
/// element under the same projection; a scalar is kept as it is.
public struct JSONProjection: Sendable, Hashable {
    /// The members kept, with what is kept of each; nil keeps the whole value. Under `ignoresCase` the
    /// keys are folded (`CaseInsensitive.folded`).
    let members: [String: JSONProjection]?
    /// Members are kept whatever the case of their keys, as expressions look members up.
    let ignoresCase: Bool
    /// Under `ignoresCase`, the member names that are not ASCII, as written: see `member(_:)`.
    private let nonASCIINames: [String]

    /// Keeps the whole value.
    public static let everything = JSONProjection(members: nil, ignoresCase: false, nonASCIINames: [])

    private init(members: [String: JSONProjection]?, ignoresCase: Bool, nonASCIINames: [String]) {
        self.members = members
        self.ignoresCase = ignoresCase
        self.nonASCIINames = nonASCIINames
    }

    /// Keeps the value at each path of object keys (`["repository", "full_name"]`), whole. Arrays on
    /// the way are crossed element by element: `["alerts", "fingerprint"]` keeps each alert's
    /// `fingerprint`. A path that is a prefix of another keeps its value whole, and the empty path keeps
    /// everything. With `ignoringCase`, every key that equals a path's member ignoring case
    /// (`CaseInsensitive.equals`, which expressions look members up with) is kept too, and a few others.
    public init(paths: [[String]], ignoringCase: Bool = false) {
        var members: [String: [[String]]] = [:]
        var whole: Set<String> = []
        var nonASCIINames: Set<String> = []
        for path in paths {
            guard let first = path.first else {
                self = .everything
                return
            }
            if ignoringCase, !CaseInsensitive.isASCII(first) { nonASCIINames.insert(first) }
            let key = ignoringCase ? CaseInsensitive.folded(first) : first
            if path.count == 1 {
                whole.insert(key)
            } else {
                members[key, default: []].append(Array(path.dropFirst()))
            }
        }
        var projected: [String: JSONProjection] = [:]
        for key in whole { projected[key] = .everything }
        for (key, rest) in members where !whole.contains(key) {
            projected[key] = JSONProjection(paths: rest, ignoringCase: ignoringCase)
        }
        self.init(members: projected, ignoresCase: ignoringCase, nonASCIINames: nonASCIINames.sorted())
    }

    /// True when the whole value is kept.
    public var keepsEverything: Bool { members == nil }

    /// What is kept of member `key`, or nil when it is dropped.
    func member(_ key: String) -> JSONProjection? {
        guard let members else { return .everything }
        guard ignoresCase else { return members[key] }
        let found = members[CaseInsensitive.folded(key)]
        // Folding finds every key equal to a member ignoring case but one: a key and a member both
        // outside ASCII, equal in canonical forms that fold apart (`ǰ` and `ǰ`). Such a key is kept
        // whole: `equals` is not transitive there, so it has no one member's projection.
        guard !nonASCIINames.isEmpty, !CaseInsensitive.isASCII(key),
            nonASCIINames.contains(where: { CaseInsensitive.equals(key, $0) })
        else { return found }
        return .everything
    }
}

extension JSONValue {
    /// Parses UTF-8 JSON text as `init(parsing:)` does, accepting and refusing exactly the same
    /// documents, but keeps only what `projection` names: every other member is left out.
    public init(parsing bytes: [UInt8], keeping projection: JSONProjection) throws(JSONValueError) {
        guard let value = JSONReader.parse(bytes, keeping: projection) else { throw .invalidJSON }
        self = value
    }
}
