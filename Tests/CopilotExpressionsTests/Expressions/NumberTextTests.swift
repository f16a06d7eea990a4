import CopilotExpressions
import Testing

/// Numbers turned into strings follow GitHub's runner, which formats them with .NET's `G15`; JSON keeps
/// the shortest form that reads back the same.
@Suite struct NumberTextTests {
    @Test(
        "a number becomes the string G15 makes: at most 15 significant digits, exponents below 1e-4 and from 1e15",
        arguments: [
            (0.84551240822557006, "0.84551240822557"),  // GitHub's own case: Swift's shortest form has 16 digits
            (1.2345678901234567, "1.23456789012346"),  // 17 digits rounded to 15
            (-1.2345678901234567, "-1.23456789012346"),
            (0.1 + 0.2, "0.3"),  // 0.30000000000000004
            (123_456_789_012_345.6, "123456789012346"),  // 16 digits: the 16th rounds the 15th up
            (999_999_999_999_999, "999999999999999"),  // 15 digits: still plain
            (100_000_000_000_000.5, "100000000000000"),  // exactly half way: to the even digit
            (100_000_000_000_001.5, "100000000000002"),
            (999_999_999_999_999.9, "1E+15"),  // rounding carries into a 16th digit
            (1e15, "1E+15"),
            (1_234_567_890_123_456, "1.23456789012346E+15"),
            (9_007_199_254_740_992, "9.00719925474099E+15"),  // 2^53
            (12_345_678_901_234_567_168, "1.23456789012346E+19"),
            (1e21, "1E+21"),
            (1e100, "1E+100"),
            (1.7976931348623157e308, "1.79769313486232E+308"),
            (0.0001, "0.0001"),
            (0.000123456, "0.000123456"),
            (0.00001, "1E-05"),
            (0.0000123456, "1.23456E-05"),
            (-1.5e-7, "-1.5E-07"),
            (.leastNonzeroMagnitude, "4.94065645841247E-324"),  // a subnormal; its shortest form is "5e-324"
            (.leastNormalMagnitude, "2.2250738585072E-308"),
            (100, "100"),
            (-2.5, "-2.5"),
            (-0.0, "0"),  // GitHub's conformance cases: "0", where .NET alone prints "-0"
            (.nan, "NaN"),
            (-.infinity, "-Infinity"),
        ]
    )
    func expressionText(number: Double, text: String) {
        #expect(JSONValue.expressionText(of: number) == text)
        #expect(JSONValue.number(number).expressionString == text)
    }

    @Test("format, join, contains and templates use it; toJSON and JSON text keep every digit")
    func uses() throws {
        let context = EvaluationContext(values: ["x": .number(1.2345678901234567)])
        func evaluate(_ source: String) throws -> JSONValue {
            try Expression(parsing: source).evaluate(in: context)
        }
        #expect(try evaluate("format('{0}', x)") == "1.23456789012346")
        #expect(try evaluate("format('{0}', 1e15)") == "1E+15")
        #expect(try evaluate("join(fromJSON('[1.2345678901234567, 2]'), ',')") == "1.23456789012346,2")
        #expect(try evaluate("contains('v1.23456789012346', x)") == true)
        #expect(try evaluate("toJSON(x)") == "1.2345678901234567")
        #expect(try Template(parsing: "n=${{ x }}").render(in: context) == "n=1.23456789012346")
        #expect(JSONValue.number(1.2345678901234567).jsonText == "1.2345678901234567")
        #expect(JSONValue.number(1e21).jsonText == "1e+21")
        #expect(JSONValue.number(1e15).jsonText == "1000000000000000")
    }
}
