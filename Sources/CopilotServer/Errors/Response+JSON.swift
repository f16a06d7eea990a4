import CopilotCore
public import CopilotExpressions
public import Hummingbird
import NIOCore

extension Response {
    /// A JSON response whose body is `value` rendered compactly with sorted keys.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.jsonBytes))
        )
    }
}
