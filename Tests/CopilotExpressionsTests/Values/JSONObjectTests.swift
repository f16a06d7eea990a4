import CopilotExpressions
import Testing

/// `JSONObject` keeps its members in order beside an index of their positions: every change must keep
/// the two in step, and equality and hashing must still ignore the order.
@Suite struct JSONObjectTests {
    @Test("setting, replacing and removing members keeps their order and every lookup right")
    func changes() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3, "d": 4]
        object["b"] = 20
        object["e"] = 5
        object["a"] = nil
        object["z"] = nil
        #expect(object.keys == ["b", "c", "d", "e"])
        #expect(object.values == [20, 3, 4, 5])
        #expect(Array(object).map(\.key) == object.keys)
        for (key, value) in zip(object.keys, object.values) { #expect(object[key] == value) }
        #expect(object["a"] == nil)
        object["c"] = nil
        object["a"] = 1
        #expect(object.keys == ["b", "d", "e", "a"])
        #expect(object["d"] == 4 && object["e"] == 5 && object["a"] == 1)
        #expect(object.count == 4)
    }

    @Test("a repeated key as read keeps its first position and its last value")
    func repeatedKey() throws {
        let object = try #require(try JSONValue(parsing: Array(#"{"a":1,"b":2,"a":3}"#.utf8)).objectValue)
        #expect(object.keys == ["a", "b"])
        #expect(object.values == [3, 2])
        #expect(object["a"] == 3)
    }

    @Test("equal members in another order are equal and hash alike; another value or member is not equal")
    func orderIgnored() {
        let one: JSONObject = ["a": 1, "b": ["c": true], "d": "x"]
        let other: JSONObject = ["d": "x", "a": 1, "b": ["c": true]]
        #expect(one == other)
        #expect(one.hashValue == other.hashValue)
        #expect(Set([JSONValue.object(one), .object(other)]).count == 1)
        #expect(one != ["a": 1, "b": ["c": false], "d": "x"])
        #expect(one != ["a": 1, "b": ["c": true]])
        #expect(one != ["a": 1, "b": ["c": true], "e": "x"])
        #expect(one.dictionary == other.dictionary)
        #expect(one.mapValues { _ in .null }.keys == ["a", "b", "d"])
    }
}
