/// One promise of a port, as an executable check run against every backend (STYLE §B7):
/// `@Test(arguments: …Contract.checks)` with a fresh store per check.
public struct ContractCheck<Subject: Sendable>: Sendable, CustomStringConvertible {
    public var name: String
    public var body: @Sendable (Subject) async throws -> Void

    public init(name: String, body: @escaping @Sendable (Subject) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }
}

/// A broken promise: where the check says so, and what broke.
public struct ContractFailure: Error, CustomStringConvertible {
    public var message: String
    public var file: String
    public var line: UInt

    public init(message: String, file: String = #fileID, line: UInt = #line) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Throws a `ContractFailure` with `message` unless `condition` holds.
func requireContract(
    _ condition: Bool,
    _ message: @autoclosure () -> String,
    file: String = #fileID,
    line: UInt = #line
) throws {
    if !condition { throw ContractFailure(message: message(), file: file, line: line) }
}
