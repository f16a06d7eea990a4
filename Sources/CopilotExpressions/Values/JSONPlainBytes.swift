/// Runs of string bytes that JSON text holds as they are: no quote, no backslash, no control character.
///
/// Found eight bytes at a time, each word tested with the bit tricks of "Bit Twiddling Hacks" (a byte
/// equal to a value, a byte less than a value): strings are most of a webhook payload, and looking at
/// them a byte at a time was three quarters of ingress's parse of a 28 KB GitHub delivery, and most of
/// writing the planner's prompt. The reader skips or copies such runs; the writer copies them between
/// escapes.
enum JSONPlainBytes {
    /// Where the run starting at `start` ends (the first quote, backslash or control character, or the
    /// end of `bytes`), and whether any byte in it is not ASCII.
    static func run(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, nonASCII: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        var seen: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while bytes.count - index >= 8 {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
                let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
                let special =
                    ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                if special & highs != 0 { break }
                seen |= word
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 else { break }
            seen |= UInt64(byte)
            index += 1
        }
        return (index, seen & highs != 0)
    }
}
