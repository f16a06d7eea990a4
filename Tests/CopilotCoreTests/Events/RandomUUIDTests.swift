import CopilotCore
import Testing

@Suite struct RandomUUIDTests {
    @Test("the text is a lowercase version 4 UUID made from the source's bits")
    func format() {
        var words: [UInt64] = [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210]
        let text = RandomUUID.string { words.removeFirst() }
        // Byte 6 keeps its low nibble under version 4; byte 8 its low six bits under variant 10.
        #expect(text == "01234567-89ab-4def-bedc-ba9876543210")
    }

    @Test("every id from the system's generator is well formed, and they differ")
    func system() {
        let ids = (0..<200).map { _ in RandomUUID.string() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let groups = id.split(separator: "-").map(\.count)
            #expect(groups == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
        }
    }
}
