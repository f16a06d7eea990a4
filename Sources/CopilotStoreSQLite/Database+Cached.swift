import GRDB

// Every statement of the run path goes through the connection's statement cache: GRDB compiles an
// uncached statement with SQLite's authorizer on (to learn the tables it touches), and compiling was
// about a tenth of the engine's CPU (the authorizer and the regions it builds) when each run's
// transactions prepared their statements afresh.
// A literal with an array (`IN \(ids)`) caches one statement per array length, a small bounded set.
extension Database {
    /// Executes a statement from the cache.
    func run(_ sql: SQL) throws {
        try cachedStatement(literal: sql).execute()
    }

    /// The rows of a query from the cache.
    func rows(_ sql: SQL) throws -> [Row] {
        try Row.fetchAll(cachedStatement(literal: sql))
    }

    /// The first row of a query from the cache, or nil.
    func row(_ sql: SQL) throws -> Row? {
        try Row.fetchOne(cachedStatement(literal: sql))
    }
}
