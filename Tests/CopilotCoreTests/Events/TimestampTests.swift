import CopilotCore
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test(
        "rfc3339UTC writes what Foundation's ISO 8601 formatter writes",
        arguments: [0, 1, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_764_078_729, 4_102_444_800, -1, -86_401]
    )
    func matchesFoundation(seconds: Int) {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds) + 0.75)
        #expect(date.rfc3339UTC == date.formatted(.iso8601))
    }
}
