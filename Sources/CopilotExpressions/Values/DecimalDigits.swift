#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The significant decimal digits of a finite, non-zero number and where its decimal point goes: the
/// number is ±0.<digits> × 10^point. Lays them out in the two ways numbers become text here: JavaScript's
/// (JSON) and .NET's `G15` (GitHub's runner, when an expression turns a number into a string).
struct DecimalDigits {
    var negative: Bool
    /// ASCII digits, no leading or trailing zero.
    var digits: [UInt8]
    var point: Int

    /// Swift's shortest digits that read back as the same double (at most 17).
    init(shortest number: Double) {
        self.init(text: "\(number.magnitude)".utf8, negative: number < 0)  // "123.456", "1e-05", "1.2e+20"
    }

    /// The number rounded to `significant` digits (1 to 15), correctly: Swift's shortest digits when there
    /// are no more than that (a normal double carries almost 16 digits, so a shortest form of up to 15 is
    /// its value rounded to 15), else the C library's `%.*e`, which rounds the exact binary value, halves
    /// to even, as .NET does. Subnormals carry fewer digits, so they always take the second way.
    init(number: Double, significant: Int) {
        let shortest = DecimalDigits(shortest: number)
        guard !number.isNormal || shortest.digits.count > significant else {
            self = shortest
            return
        }
        // "d.ddddde+XX": at most 1 + 1 + 16 + 2 + 4 digits and a terminator, well under 32 bytes.
        var buffer = [CChar](repeating: 0, count: 32)
        let count = withVaList([Int32(significant - 1), number.magnitude]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 32, "%.*e", arguments) }
        }
        let text = buffer.prefix(max(0, Int(count))).map { UInt8(bitPattern: $0) }
        self.init(text: text, negative: number < 0)
    }

    /// Reads `[digits][.digits][e±N]` as Swift and C print a positive double. Any non-digit before the
    /// exponent counts as the decimal point, so a C library under another locale (`,`) reads the same.
    private init(text: some Collection<UInt8>, negative: Bool) {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let marker = text.firstIndex { $0 == UInt8(ascii: "e") } ?? text.endIndex
        let exponentText = marker == text.endIndex ? [] : Array(text[text.index(after: marker)...])
        let exponent = Int(String(decoding: exponentText, as: UTF8.self)) ?? 0
        let mantissa = text[..<marker]
        let integerCount = mantissa.prefix(while: isDigit).count
        var digits = mantissa.filter(isDigit)
        var point = integerCount + exponent
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        point -= leadingZeros
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        self.negative = negative
        self.digits = digits
        self.point = point
    }

    /// Plain digits when `point` is in `plainPoints`, otherwise `d.ddd<marker>±N` with at least
    /// `exponentWidth` exponent digits.
    func text(plainPoints: ClosedRange<Int>, exponentMarker: String, exponentWidth: Int) -> String {
        let count = digits.count
        let all = String(decoding: digits, as: UTF8.self)
        let text: String
        if plainPoints.contains(point), count <= point {
            text = all + String(repeating: "0", count: point - count)
        } else if plainPoints.contains(point), point > 0 {
            text = all.prefix(point) + "." + all.dropFirst(point)
        } else if plainPoints.contains(point) {
            text = "0." + String(repeating: "0", count: -point) + all
        } else {
            let power = point - 1
            let magnitude = String(power.magnitude)
            let fraction = count > 1 ? "." + all.dropFirst() : ""
            text =
                all.prefix(1) + fraction + exponentMarker + (power < 0 ? "-" : "+")
                + String(repeating: "0", count: max(0, exponentWidth - magnitude.count)) + magnitude
        }
        return negative ? "-" + text : text
    }
}
