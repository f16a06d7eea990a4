import CopilotCore
import CopilotExpressions
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/stream`: the runs' changes as Server-Sent Events (`text/event-stream`), one `run` event
/// per committed change with the store's number as its `id:`, read from the store so that every node's
/// changes are there and a reconnecting client misses none.
///
/// - A client that sends `Last-Event-ID` (or `?last_event_id=`, for clients that cannot set headers)
///   gets every change after it, in order; one without starts at the newest change (the runs API has the
///   past).
/// - A client further behind than the store keeps (`RunChange.retained`), or with a number from another
///   store, first gets a `gap` event: it should reload what it shows from the runs API.
/// - While nothing changes, a comment line every 15 s keeps proxies from closing the connection.
/// - The stream ends when the service shuts down (the client reconnects elsewhere with its last id), or
///   when the store cannot be read.
struct RunStream<Context: RequestContext>: Sendable {
    let store: any RunStore
    /// How often the store is asked while nothing new came: the bound on a change's delay.
    var pollInterval: Duration = .milliseconds(200)
    var keepAlive: Duration = .seconds(15)
    static var pageSize: Int { 500 }

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/stream") { request, context in try await stream(request, logger: context.logger) }
    }

    func stream(_ request: Request, logger: Logger) async throws -> Response {
        let text = request.headers[.lastEventID] ?? request.uri.queryParameters.get("last_event_id")
        let resume: Int64?
        if let text {
            guard let number = Int64(text), number >= 0 else {
                throw APIError(status: .badRequest, code: "invalid_query", message: "'Last-Event-ID' must be a number")
            }
            resume = number
        } else {
            resume = nil
        }
        let first: RunChanges
        do {
            first = try await store.runChanges(after: resume ?? .max, limit: resume == nil ? 0 : Self.pageSize)
        } catch {
            throw APIError.unavailable
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { [self] writer in
                var cursor = resume ?? first.newest
                var next: RunChanges? = resume == nil ? nil : first
                var quiet = ContinuousClock.now
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    let page: RunChanges
                    if let first = next {
                        page = first
                        next = nil
                    } else {
                        do {
                            page = try await store.runChanges(after: cursor, limit: Self.pageSize)
                        } catch {
                            logger.warning(
                                "live stream ended: run changes not readable",
                                metadata: ["error.type": "\(error)"]
                            )
                            break
                        }
                    }
                    // On every page, not only the first: a client that falls behind while connected can lose
                    // changes to the pruning as well.
                    if let gap = Self.gap(after: cursor, in: page) {
                        try await writer.write(ByteBuffer(bytes: gap.encoded))
                        cursor = min(cursor, page.newest)
                    }
                    for change in page.changes {
                        let event = ServerSentEvent(
                            id: String(change.sequence),
                            type: "run",
                            data: change.state.jsonText
                        )
                        try await writer.write(ByteBuffer(bytes: event.encoded))
                        cursor = change.sequence
                    }
                    if page.changes.count == Self.pageSize { continue }
                    if !page.changes.isEmpty {
                        quiet = .now
                    } else if quiet.duration(to: .now) >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        quiet = .now
                    }
                    try? await Task.sleep(for: pollInterval)
                }
                try await writer.finish(nil)
            }
        )
    }

    /// The `gap` event owed to a client whose last change is `cursor`: when changes after it are no
    /// longer kept, or it names a change this store never made.
    static func gap(after cursor: Int64, in changes: RunChanges) -> ServerSentEvent? {
        // `oldest - 1` rather than `cursor + 1`: a cursor of Int64.max must not overflow.
        let lost = changes.oldest.map { $0 - 1 > cursor } ?? false
        guard lost || cursor > changes.newest else { return nil }
        let data: JSONValue = [
            "last_event_id": .number(Double(cursor)),
            "oldest_kept": changes.oldest.map { .number(Double($0)) } ?? .null,
            "newest": .number(Double(changes.newest)),
        ]
        return ServerSentEvent(type: "gap", data: data.jsonText)
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
