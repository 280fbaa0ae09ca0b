import CompactdTestSupport

/// Random calendar expressions drawn from systemd's grammar: weekday lists and ranges, dates
/// with values, ranges, repetitions, `*` and `~`, times with fractional seconds, and zone
/// suffixes. Some come out invalid on purpose; both engines must reject the same ones.
struct CalendarExpressionGenerator {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

    private mutating func component(_ range: ClosedRange<Int>, width: Int) -> String {
        func fmt(_ v: Int) -> String {
            let s = String(v)
            return (width > 1 && chanceFixed() ? String(repeating: "0", count: max(0, width - s.count)) : "") + s
        }
        switch int(1...6) {
        case 1:
            return "*"
        case 2:
            let a = int(range.lowerBound...range.upperBound)
            return fmt(a) + "/" + String(int(1...max(1, (range.upperBound - range.lowerBound) / 2 + 1)))
        case 3:
            let a = int(range.lowerBound...range.upperBound)
            let b = int(a...range.upperBound)
            return fmt(a) + ".." + fmt(b)
        case 4:
            let a = int(range.lowerBound...range.upperBound)
            let b = int(a...range.upperBound)
            return fmt(a) + ".." + fmt(b) + "/" + String(int(1...5))
        default:
            var parts: [String] = []
            for _ in 0..<int(1...3) { parts.append(fmt(int(range.lowerBound...range.upperBound))) }
            return parts.joined(separator: ",")
        }
    }

    private var flip = false
    private mutating func chanceFixed() -> Bool {
        flip.toggle()
        return flip
    }

    private static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "friday", "SUN"]

    mutating func expression() -> String {
        var pieces: [String] = []
        if chance(30) {
            let a = int(0...6)
            switch int(1...3) {
            case 1: pieces.append(Self.weekdayNames[a])
            case 2: pieces.append(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][a] + ".." + ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][int(a...6)])
            default: pieces.append([Self.weekdayNames[a], Self.weekdayNames[int(0...6)]].joined(separator: ","))
            }
        }
        if chance(80) {
            let year = chance(70) ? "*" : component(2024...2032, width: 4)
            let month = component(1...12, width: 2)
            if chance(15) {
                pieces.append("\(year)-\(month)~\(component(1...7, width: 2))")
            } else if chance(30) {
                pieces.append("\(month)-\(component(1...31, width: 2))")
            } else {
                pieces.append("\(year)-\(month)-\(component(1...31, width: 2))")
            }
        }
        if chance(85) {
            var time = "\(component(0...23, width: 2)):\(component(0...59, width: 2))"
            if chance(40) {
                var seconds = component(0...59, width: 2)
                if chance(20) && !seconds.contains("*") && !seconds.contains("/") && !seconds.contains(",") && !seconds.contains("..") {
                    seconds += "." + String(int(1...999))
                }
                time += ":" + seconds
            }
            pieces.append(time)
        }
        if pieces.isEmpty { pieces.append(["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "hourly", "minutely"][int(0...7)]) }
        switch int(1...10) {
        case 1: pieces.append("UTC")
        case 2: pieces.append("America/Los_Angeles")
        case 3: pieces.append(["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo"][int(0...3)])
        default: break
        }
        var text = pieces.joined(separator: " ")
        // Mutations that usually make it invalid.
        if chance(8) {
            let bytes = Array(text.utf8)
            let at = int(0...max(0, bytes.count - 1))
            let junk: [UInt8] = [UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "9"), UInt8(ascii: "x")]
            var mutated = bytes
            mutated.insert(junk[int(0...junk.count - 1)], at: at)
            text = String(decoding: mutated, as: UTF8.self)
        }
        return text
    }
}
