/// What `systemd-analyze calendar` prints for one expression, computed without systemd.
public struct CalendarReport: Sendable, Hashable {
    public var original: String
    public var result: Result<Evaluation, CalendarSpecError>

    public struct Evaluation: Sendable, Hashable {
        public var normalized: String
        public var elapses: [Instant]
    }

    public init(expression: String, base: Instant, iterations: Int, localZone: ZoneInfo) {
        original = expression
        do {
            let spec = try CalendarSpec(parsing: expression, localZone: localZone)
            result = .success(Evaluation(
                normalized: spec.normalizedDescription,
                elapses: spec.elapses(after: base, count: iterations, localZone: localZone)
            ))
        } catch {
            result = .failure(error)
        }
    }

    /// The report in systemd-analyze's layout: right-aligned labels, times in `displayZone`
    /// with a UTC line when that zone is not UTC. ("From now" lines, which depend on the
    /// moment the command runs, are left out.)
    public func text(displayZone: ZoneInfo) -> String? {
        guard case .success(let evaluation) = result else { return nil }
        // Like systemd-analyze, the original is shown only when normalizing changed it.
        var lines: [String] = []
        if original != evaluation.normalized { lines.append("  Original form: \(original)") }
        lines.append("Normalized form: \(evaluation.normalized)")
        if evaluation.elapses.isEmpty {
            lines.append("    Next elapse: never")
        }
        for (index, instant) in evaluation.elapses.enumerated() {
            let label = index == 0 ? "    Next elapse" : "Iter. #\(index + 1)".suffixPadded(to: 15)
            lines.append("\(label): \(TimestampFormat.systemd(instant, in: displayZone))")
            if !displayZone.isUTC {
                lines.append("       (in UTC): \(TimestampFormat.systemd(instant, in: .utc))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Right-aligns to `width` characters, as printf's `%*s` does.
    func suffixPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
