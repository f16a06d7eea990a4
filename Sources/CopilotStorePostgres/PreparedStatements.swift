import NIOCore
import PostgresNIO

// The statements every delivery and every run write executes, prepared once per connection (postgres-
// nio keeps them per connection and prepares on first use): the server parses and plans them once, not
// on every batch.

/// A batch of deliveries, one array per column; answers the ids that were new (`PostgresStore+Inbox`).
struct InsertDeliveries: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers, body)
        SELECT id, source, delivery_id, type, subject, received_at, headers, body
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[],
            $8::bytea[]) WITH ORDINALITY AS batch (id, source, delivery_id, type, subject, received_at, headers,
            body, place)
        ORDER BY place
        ON CONFLICT (source, delivery_id) DO NOTHING
        RETURNING id
        """
    typealias Row = String

    var ids: [String]
    var sources: [String]
    var deliveryIDs: [String]
    var types: [String]
    var subjects: [String]
    var receivedAt: [Double]
    var headers: [String]
    var bodies: [ByteBuffer]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(ids)
        bindings.append(sources)
        bindings.append(deliveryIDs)
        bindings.append(types)
        bindings.append(subjects)
        bindings.append(receivedAt)
        bindings.append(headers)
        bindings.append(bodies)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String {
        try row.decode(String.self)
    }
}

/// A transaction's run changes, numbered under the shared fence (`PostgresStore+RunChanges`): a row is
/// produced only after the one-row side of the join, the lock, was read, so every number is drawn
/// under the fence. Answers the numbers drawn.
struct NumberRunChanges: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO run_changes (run_id)
        SELECT changed.id
        FROM (SELECT pg_advisory_xact_lock_shared($1, $2)) AS fence,
            unnest($3::text[]) WITH ORDINALITY AS changed (id, place)
        ORDER BY changed.place
        RETURNING seq
        """
    typealias Row = Int64

    var fence: (Int32, Int32)
    var runIDs: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(fence.0)
        bindings.append(fence.1)
        bindings.append(runIDs)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}
