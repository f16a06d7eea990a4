import CopilotCore
import CopilotPlaybooks
import Foundation
import Testing

/// `Fixtures/valid/*.yaml` and `Fixtures/invalid/*.yaml`, each beside `<file>.expected`: the diagnostics
/// the loader must print for it, one per line (empty for a valid file).
@Suite struct FixtureTests {
    /// The catalogue the fixtures are written against: built-ins plus the contract's example preset.
    static let loader = PlaybookLoader(catalogue: ActionCatalogue(presets: ["deploy.rollback": ["service"]]))

    static var fixturesDirectory: URL {
        get throws { try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)) }
    }

    static func fixtures(_ folder: String) -> [String] {
        guard let directory = try? fixturesDirectory.appendingPathComponent(folder),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }

    static func check(_ fixture: String) throws -> (actual: String, expected: String) {
        let directory = try fixturesDirectory
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(fixture)))
        let expected = try String(contentsOf: directory.appendingPathComponent(fixture + ".expected"), encoding: .utf8)
        let result = loader.load(file: fixture, bytes: bytes)
        let actual = result.diagnostics.map(\.description).joined(separator: "\n")
        return (actual, expected.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("a valid fixture loads without diagnostics", arguments: fixtures("valid"))
    func valid(fixture: String) throws {
        let (actual, expected) = try Self.check(fixture)
        #expect(actual == expected)
        #expect(actual.isEmpty)
    }

    @Test("an invalid fixture reports exactly its expected diagnostics", arguments: fixtures("invalid"))
    func invalid(fixture: String) throws {
        let (actual, expected) = try Self.check(fixture)
        #expect(!actual.isEmpty)
        #expect(actual == expected, "actual:\n\(actual)")
    }

    @Test("there are fixtures to check")
    func present() {
        #expect(Self.fixtures("valid").count >= 3)
        #expect(Self.fixtures("invalid").count >= 8)
    }
}
