import CopilotCore
import CopilotExpressions
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceLifecycle

/// Serves `standIn` on 127.0.0.1 on `port` (0: a free one), runs `body` with its base URL
/// (`http://127.0.0.1:PORT`), then shuts the server down, also when `body` throws.
public func withStandIn<Value: Sendable>(
    _ standIn: some StandIn,
    port requested: Int = 0,
    _ body: (_ baseURL: String) async throws -> Value
) async throws -> Value {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int?.self)
    var logger = Logger(label: "stand-in")
    logger.logLevel = .critical
    let application = Application(
        responder: CallbackResponder { request, context in
            try await respond(to: request, context: context, standIn: standIn)
        },
        server: .http1(configuration: .init(additionalChannelHandlers: [ArrivalStamp()])),
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: requested)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port)
            portContinuation.finish()
        },
        logger: logger
    )
    let serviceGroup = ServiceGroup(configuration: .init(services: [application], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await serviceGroup.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() ?? nil else {
            await serviceGroup.triggerGracefulShutdown()
            throw StandInError.serverDidNotStart
        }
        do {
            let value = try await body("http://127.0.0.1:\(port)")
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return value
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            throw error
        }
    }
}

/// Why a stand-in could not serve.
public enum StandInError: Error, Sendable, Equatable {
    case serverDidNotStart
}

/// Stamps each request's head with the moment the stand-in's server read it, on the connection's event
/// loop: the stand-in's own time starts there, not when the request's task reaches `respond`. Reading a
/// request, and passing it to a task, is the work of the model's server, which a benchmark takes out of
/// what it measures (`StandInJournal.serviceTimes`).
private final class ArrivalStamp: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// Uptime nanoseconds (`NIODeadline`); never recorded with the request.
    static let field = HTTPField.Name("x-copilot-stand-in-arrival")!

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[Self.field] = String(NIODeadline.now().uptimeNanoseconds)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

private func respond(
    to request: Request,
    context: BasicRequestContext,
    standIn: some StandIn
) async throws -> Response {
    let started =
        request.headers[ArrivalStamp.field].flatMap(UInt64.init).map(NIODeadline.uptimeNanoseconds)
        ?? .now()
    let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
    let recorded = RecordedRequest(
        method: request.method.rawValue,
        path: request.uri.path,
        query: request.uri.query,
        headers: request.headers.filter { $0.name != ArrivalStamp.field }.map {
            RecordedRequest.Header(name: $0.name.rawName, value: $0.value)
        },
        body: Array(buffer: body)
    )
    let answer = await standIn.handle(recorded)
    var fields = HTTPFields()
    for header in answer.headers {
        if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
    }
    if let chunks = answer.eventStream {
        fields[.contentType] = "text/event-stream"
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: fields,
            body: ResponseBody { writer in
                // One write per chunk, as a streaming server sends them.
                for chunk in chunks {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
                await standIn.journal.recordServiceTime(elapsed(since: started), of: recorded)
            }
        )
    }
    var buffer = ByteBuffer()
    if let json = answer.body {
        fields[.contentType] = "application/json"
        buffer.writeString(json.jsonText)
    }
    await standIn.journal.recordServiceTime(elapsed(since: started), of: recorded)
    return Response(
        status: HTTPResponse.Status(code: answer.status),
        headers: fields,
        body: ResponseBody(byteBuffer: buffer)
    )
}

/// The time since `start`, as the journal keeps it.
private func elapsed(since start: NIODeadline) -> Duration {
    .nanoseconds((NIODeadline.now() - start).nanoseconds)
}
