// State store benchmark: N deliveries written to the outbox, then claimed in batches and
// recorded delivered by R replicas at once (separate store handles, each its own connections),
// with no network between: what the store itself costs per delivery, and the claim latency.
// Run by Benchmarks/replica-bench.sh (a release build), beside the end-to-end run to nginx.
//
//   compactd-store-bench sqlite PATH [--deliveries N] [--batch B]
//   compactd-store-bench postgresql URL [--deliveries N] [--replicas R] [--batch B]
import CompactdCore
import CompactdPostgres
import CompactdStore
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    print("usage: compactd-store-bench sqlite PATH | postgresql URL [--deliveries N] [--replicas R] [--batch B]")
    exit(2)
}
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
let backend = arguments[0], target = arguments[1]
let count = option("--deliveries", 20_000), replicas = option("--replicas", 1), batch = option("--batch", 64)

/// Milliseconds since `start`.
func elapsed(_ start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

let snapshot = NoticeSnapshot(compactID: "city-0", partner: "City 0", cycleID: "deadline", cycleTitle: "Deadline", occurrence: "2026-11-29", stepID: "d", stepTitle: "Deadline", kind: "reminder", label: "due", detail: "", dueAtUTC: "2026-11-29T00:00:00Z", dueAtLocal: "2026-11-29 00:00 UTC", timeZone: "UTC", daysUntilDue: 0, commitments: ["School safety"])

var handles: [any StateStore] = []
var running: [Task<Void, Never>] = []
switch backend {
case "sqlite":
    handles = [try SQLiteStateStore(path: target)]
case "postgresql":
    let settings = try PostgresURL.parse(target).get()
    for _ in 0..<replicas {
        let store = try PostgresStateStore(settings: settings, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        running.append(Task { await store.runConnections() })
        handles.append(store)
    }
default:
    print("backend: sqlite or postgresql")
    exit(2)
}

let now = Instant.now
let deliveries = (0..<count).map { i in
    NewDelivery(id: String(format: "city-%d/deadline/2026-11-29/d%06d/remind-0/hook", i / 200, i), stepKey: String(format: "city-%d/deadline/2026-11-29/d%06d", i / 200, i),
                channel: "hook", contact: nil, sendAt: Instant(microsecondsSinceEpoch: now.microsecondsSinceEpoch - 60_000_000), snapshot: snapshot)
}
let enqueueStart = DispatchTime.now().uptimeNanoseconds
for start in stride(from: 0, to: count, by: 2000) {
    try await handles[0].enqueue(Array(deliveries[start..<min(start + 2000, count)]), now: now)
}
let enqueueMs = elapsed(enqueueStart)

/// One replica's run: claim a batch, record it delivered, until nothing is left.
func drain(_ store: any StateStore) async throws -> (claims: [Double], records: [Double], done: Int) {
    var claims: [Double] = [], records: [Double] = []
    var done = 0
    while true {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let claimed = try await store.claimDue(now: Instant.now, limit: batch, channels: ["hook"])
        claims.append(elapsed(t0))
        if claimed.isEmpty { return (claims, records, done) }
        let finished = Instant.now
        let t1 = DispatchTime.now().uptimeNanoseconds
        try await store.record(claimed.map { AttemptRecord(deliveryID: $0.id, number: $0.attempts, startedAt: finished, finishedAt: finished, outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1) })
        records.append(elapsed(t1))
        done += claimed.count
    }
}

// What one statement costs before the database does any work.
if let postgres = handles.first as? PostgresStateStore {
    var trips: [Double] = []
    for _ in 0..<500 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try await postgres.roundTrip()
        trips.append(elapsed(t0))
    }
    print(String(format: "  one round trip (SELECT 1): p50 %.3f ms p99 %.3f ms", percentile(trips, 0.5), percentile(trips, 0.99)))
}

let start = DispatchTime.now().uptimeNanoseconds
let results = try await withThrowingTaskGroup(of: (claims: [Double], records: [Double], done: Int).self) { group in
    for store in handles { group.addTask { try await drain(store) } }
    var all: [(claims: [Double], records: [Double], done: Int)] = []
    for try await result in group { all.append(result) }
    return all
}
let seconds = elapsed(start) / 1000
let claims = results.flatMap(\.claims), records = results.flatMap(\.records)
let done = results.map(\.done).reduce(0, +)
print(String(format: "%@ x%d: enqueue %d in %.2f s; claimed and recorded %d in %.2f s = %.0f deliveries/s; claim (batch %d) p50 %.2f ms p99 %.2f ms; record p50 %.2f ms p99 %.2f ms; per replica %@",
             backend, handles.count, count, enqueueMs / 1000, done, seconds, Double(done) / seconds, batch,
             percentile(claims, 0.5), percentile(claims, 0.99), percentile(records, 0.5), percentile(records, 0.99),
             results.map { String($0.done) }.joined(separator: "/")))
for task in running { task.cancel() }
if done != count { print("MISMATCH: \(done) recorded, \(count) written"); exit(1) }
