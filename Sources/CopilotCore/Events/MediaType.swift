package import CopilotExpressions

/// Why a delivery's body holds no JSON document (CONTRACT §2): the content type is not one the source
/// sends, or the bytes (GitHub's form `payload` field included) are not JSON.
public enum PayloadError: Error, Sendable, Equatable {
    case unsupportedMediaType
    case invalidJSON
}

/// The body formats ingress accepts, read from `Content-Type` (CONTRACT §2).
package enum MediaType: Sendable, Equatable {
    /// `application/json` or any `application/*+json`, with or without parameters.
    case json
    /// `application/x-www-form-urlencoded` with the JSON in a `payload` field (GitHub only).
    case form

    /// The media type of a `Content-Type` value, matched case-insensitively and ignoring parameters
    /// (`; charset=utf-8`). Throws `unsupportedMediaType` when the header is missing or names another
    /// type, and for a form body when the source does not send forms.
    package init(contentType: String?, allowsForm: Bool) throws(PayloadError) {
        guard let contentType else { throw .unsupportedMediaType }
        let essence = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.trimmingSpaces()
        if Self.equalsIgnoringCase(essence, "application/json") {
            self = .json
        } else if allowsForm, Self.equalsIgnoringCase(essence, "application/x-www-form-urlencoded") {
            self = .form
        } else if Self.isStructuredJSON(essence) {
            self = .json
        } else {
            throw .unsupportedMediaType
        }
    }

    /// The JSON document a body of this type carries, read only for `fields` (all of it is checked).
    public func payload(
        of body: [UInt8],
        keeping fields: JSONProjection = .everything
    ) throws(PayloadError)
        -> JSONValue
    {
        let json =
            switch self {
            case .json: body
            case .form: try FormBody.payload(in: body)
            }
        do {
            return try JSONValue(parsing: json, keeping: fields)
        } catch {
            throw .invalidJSON
        }
    }

    /// `application/<subtype>+json`, the structured-syntax suffix of RFC 6839.
    private static func isStructuredJSON(_ essence: Substring.UTF8View) -> Bool {
        let prefix = "application/".utf8
        let suffix = "+json".utf8
        guard essence.count > prefix.count + suffix.count else { return false }
        return equalsIgnoringCase(essence.prefix(prefix.count), "application/")
            && equalsIgnoringCase(essence.suffix(suffix.count), "+json")
    }

    private static func equalsIgnoringCase(_ text: some Collection<UInt8>, _ lowercase: StaticString) -> Bool {
        guard text.count == lowercase.utf8CodeUnitCount else { return false }
        var expected = lowercase.utf8Start
        for byte in text {
            let folded = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            guard folded == expected.pointee else { return false }
            expected += 1
        }
        return true
    }
}

/// GitHub's `application/x-www-form-urlencoded` deliveries: `payload=<percent-encoded JSON>`.
enum FormBody {
    /// The percent-decoded (`+` as space) value of the first `payload` field. Throws `invalidJSON` when
    /// there is no such field or its encoding is broken: either way the delivery holds no JSON document.
    static func payload(in body: [UInt8]) throws(PayloadError) -> [UInt8] {
        for field in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let separator = field.firstIndex(of: UInt8(ascii: "=")) ?? field.endIndex
            guard let name = percentDecode(field[field.startIndex..<separator]), name == Self.payloadName else {
                continue
            }
            let valueStart = separator == field.endIndex ? separator : field.index(after: separator)
            guard let value = percentDecode(field[valueStart...]) else { throw .invalidJSON }
            return value
        }
        throw .invalidJSON
    }

    private static let payloadName: [UInt8] = Array("payload".utf8)

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; nil for a bad escape.
    static func percentDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 3 <= text.endIndex, let high = Hex.nibble(text[index + 1]),
                    let low = Hex.nibble(text[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
