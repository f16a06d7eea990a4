#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension Date {
    /// `2026-11-25T13:52:09Z`: RFC 3339 in UTC with whole seconds, as `formatted(.iso8601)` writes it.
    ///
    /// Written out because every matched event renders its `event.received_at`, and the formatter costs
    /// microseconds per call on that path; this is plain arithmetic (days to civil date, from Howard
    /// Hinnant's `civil_from_days`).
    public var rfc3339UTC: String {
        let seconds = Int(timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        if (0...9999).contains(year) {
            // The usual case, written as its 20 bytes: the concatenation below made a dozen strings.
            let fields = [(year, 4), (month, 2), (day, 2), (secondOfDay / 3600, 2), (secondOfDay % 3600 / 60, 2)]
            return String(unsafeUninitializedCapacity: 20) { bytes in
                var offset = 0
                for ((value, width), separator) in zip(fields, "--T::".utf8) {
                    Self.writeDigits(of: value, width: width, into: bytes, at: offset)
                    bytes[offset + width] = separator
                    offset += width + 1
                }
                Self.writeDigits(of: secondOfDay % 60, width: 2, into: bytes, at: offset)
                bytes[offset + 2] = UInt8(ascii: "Z")
                return offset + 3
            }
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-"
            + two(day) + "T" + two(secondOfDay / 3600) + ":" + two(secondOfDay % 3600 / 60) + ":"
            + two(secondOfDay % 60) + "Z"
    }

    /// Writes the `width` last decimal digits of a non-negative `value` at `offset`.
    private static func writeDigits(
        of value: Int,
        width: Int,
        into bytes: UnsafeMutableBufferPointer<UInt8>,
        at offset: Int
    ) {
        var rest = value
        for index in (offset..<offset + width).reversed() {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
