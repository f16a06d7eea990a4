import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

/// One case of GitHub's expression conformance corpus (`Tests/Fixtures/corpus/expressions`).
struct ExpressionCorpusCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case value(kind: String, JSONValue)
        case error(kind: String, message: String)
    }

    var file: String
    var group: String
    var number: Int
    var expression: String
    var contexts: [String: JSONValue]
    var expected: Expected
    /// The implementations the corpus says this case is skipped for (`options.skip`).
    var skippedFor: [String]

    var testDescription: String { "\(file) [\(group)] #\(number): \(expression)" }

    /// Every case of every file; groups are visited in name order because objects are unordered here.
    static let all: [ExpressionCorpusCase] = (try? load()) ?? []

    private static func load() throws -> [ExpressionCorpusCase] {
        var cases: [ExpressionCorpusCase] = []
        for url in try Corpus.files(in: "expressions") {
            let document = try JSONValue(parsing: Array(try Data(contentsOf: url)))
            guard case .object(let groups) = document else { continue }
            for group in groups.keys.sorted() {
                for (index, entry) in (groups[group]?.arrayValue ?? []).enumerated() {
                    guard let made = make(entry, file: url.lastPathComponent, group: group, number: index + 1) else {
                        continue
                    }
                    cases.append(made)
                }
            }
        }
        return cases
    }

    private static func make(_ entry: JSONValue, file: String, group: String, number: Int) -> ExpressionCorpusCase? {
        guard let expression = entry["expr"]?.stringValue else { return nil }
        let expected: Expected
        if let result = entry["result"], let kind = result["kind"]?.stringValue {
            expected = .value(kind: kind, result["value"] ?? .null)
        } else if let error = entry["err"], let kind = error["kind"]?.stringValue {
            expected = .error(kind: kind, message: error["value"]?.stringValue ?? "")
        } else {
            return nil
        }
        let skipped = entry["options"]?["skip"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return ExpressionCorpusCase(
            file: file,
            group: group,
            number: number,
            expression: expression,
            contexts: entry["contexts"]?.objectValue?.dictionary ?? [:],
            expected: expected,
            skippedFor: skipped
        )
    }

    /// Structural equality with numbers compared as doubles (so -0 equals 0).
    static func same(_ actual: JSONValue, _ expected: JSONValue) -> Bool {
        switch (actual, expected) {
        case (.null, .null): true
        case (.bool(let a), .bool(let e)): a == e
        case (.number(let a), .number(let e)): a == e || (a.isNaN && e.isNaN)
        case (.string(let a), .string(let e)): a == e
        case (.array(let a), .array(let e)): a.count == e.count && zip(a, e).allSatisfy { same($0, $1) }
        case (.object(let a), .object(let e)):
            a.count == e.count && a.allSatisfy { key, value in e[key].map { same(value, $0) } ?? false }
        default: false
        }
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "Null"
        case .bool: "Boolean"
        case .number: "Number"
        case .string: "String"
        case .array: "Array"
        case .object: "Object"
        }
    }

    /// GitHub's 1-based "Located at position N within expression", when the message has one.
    var expectedOffset: Int? {
        guard case .error(_, let message) = expected, message.contains("within expression"),
            let range = message.range(of: "Located at position ")
        else { return nil }
        let digits = message[range.upperBound...].prefix(while: \.isNumber)
        return Int(digits).map { $0 - 1 }
    }
}

@Suite struct ExpressionCorpusTests {
    @Test("the corpus holds GitHub's ~700 cases")
    func corpusIsComplete() {
        #expect(ExpressionCorpusCase.all.count > 600)
    }

    @Test("conforms to GitHub's expression corpus", arguments: ExpressionCorpusCase.all)
    func conforms(_ testCase: ExpressionCorpusCase) {
        // The corpus's contexts are the named values the expression may use, exactly as GitHub's
        // runner of these cases declares them; any other name is a parse error.
        let context = EvaluationContext(values: testCase.contexts)
        let outcome: Result<JSONValue, ExpressionError>
        do {
            let expression = try Expression(parsing: testCase.expression, allowedNames: Set(testCase.contexts.keys))
            outcome = .success(try expression.evaluate(in: context))
        } catch {
            outcome = .failure(error)
        }
        switch (testCase.expected, outcome) {
        case (.value(let kind, let expected), .success(let actual)):
            #expect(ExpressionCorpusCase.kind(of: actual) == kind)
            #expect(ExpressionCorpusCase.same(actual, expected), "got \(actual.jsonText)")
        case (.error(let kind, let message), .failure(let error)):
            #expect(error.kind.rawValue == kind, "\(error) (expected: \(message))")
            if kind != "evaluation" {
                #expect(error.offset != nil)
            }
            if let offset = testCase.expectedOffset {
                #expect(error.offset == offset, "\(error) (expected: \(message))")
            }
        case (.value(_, let expected), .failure(let error)):
            Issue.record("expected \(expected.jsonText), got \(error)")
        case (.error(let kind, let message), .success(let actual)):
            Issue.record("expected a \(kind) error (\(message)), got \(actual.jsonText)")
        }
    }
}
