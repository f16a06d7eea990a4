/// Builds URL paths from parts that come from events and `with:`, percent-encoding each part so an id
/// such as `a/../b` or `x?y` cannot change the path or add a query.
enum URLPath {
    /// `base` + `/` + each segment, encoded.
    static func join(_ base: String, _ segments: String...) -> String {
        base + segments.map { "/" + encode($0) }.joined()
    }

    /// RFC 3986 unreserved characters stay; every other byte becomes `%XX`;
    /// `.` and `..` are encoded whole so they are not read as path steps.
    static func encode(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(digits[Int(byte >> 4)])
                output.unicodeScalars.append(digits[Int(byte & 0xF)])
            }
        }
        return output
    }
}
