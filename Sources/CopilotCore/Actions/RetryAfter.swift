#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Reads how long a server asks a client to wait: `Retry-After` (RFC 9110 §10.2.3) and GitHub's
/// rate-limit headers.
public enum RetryAfter {
    /// `Retry-After: 120` (delay-seconds) or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` (IMF-fixdate,
    /// relative to `now`; a date in the past is zero). Nil for anything else.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = trimmed(value)
        if !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard let seconds = Int64(text) else { return nil }
            return .seconds(seconds)
        }
        guard let date = imfFixdate(text) else { return nil }
        return .seconds(max(0, Int64(date.timeIntervalSince(now).rounded(.up))))
    }

    /// GitHub's primary rate limit: `x-ratelimit-remaining: 0` with `x-ratelimit-reset: <epoch
    /// seconds>` means wait until the reset. Nil when the limit is not exhausted or the headers are absent.
    public static func gitHubRateLimit(remaining: String?, reset: String?, now: Date) -> Duration? {
        guard let remaining, trimmed(remaining) == "0",
            let reset, let epoch = Int64(trimmed(reset))
        else { return nil }
        return .seconds(max(0, epoch - Int64(now.timeIntervalSince1970.rounded(.down))))
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func imfFixdate(_ text: String) -> Date? {
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 6, fields[0].hasSuffix(","), fields[5] == "GMT",
            let day = Int(fields[1]), let monthIndex = months.firstIndex(of: fields[2]),
            let year = Int(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (1...31).contains(day), (0...23).contains(time[0]), (0...59).contains(time[1]),
            (0...60).contains(time[2])
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        let seconds = days * 86_400 + time[0] * 3_600 + time[1] * 60 + time[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
