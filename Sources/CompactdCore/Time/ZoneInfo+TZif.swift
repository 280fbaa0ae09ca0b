extension ZoneInfo {
    /// Parses a TZif file (RFC 8536), using its 64-bit section and footer when present.
    init(identifier: String, tzif bytes: [UInt8]) throws(ZoneInfoError) {
        func malformed(_ detail: String) -> ZoneInfoError {
            ZoneInfoError(code: .malformed, identifier: identifier, detail: detail)
        }
        var reader = TZifReader(bytes: bytes)
        guard let header = reader.header() else { throw malformed("not a TZif file") }
        var counts = header.counts
        var timeSize = 4
        if header.version >= 2 {
            // Skip the 32-bit block and read the 64-bit one that follows.
            guard reader.skip(counts.dataLength(timeSize: 4)), let second = reader.header() else {
                throw malformed("truncated version 1 block")
            }
            counts = second.counts
            timeSize = 8
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(counts.timeCount)
        for _ in 0..<counts.timeCount {
            guard let t = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { throw malformed("truncated transitions") }
            transitions.append(t)
        }
        var transitionTypes: [Int] = []
        for _ in 0..<counts.timeCount {
            guard let i = reader.byte(), Int(i) < counts.typeCount else { throw malformed("bad transition type") }
            transitionTypes.append(Int(i))
        }
        var rawTypes: [(Int, Bool, Int)] = []
        for _ in 0..<counts.typeCount {
            guard let off = reader.int32(), let dst = reader.byte(), let abbrIndex = reader.byte() else { throw malformed("truncated types") }
            rawTypes.append((Int(off), dst != 0, Int(abbrIndex)))
        }
        guard let abbreviationBytes = reader.bytes(counts.charCount) else { throw malformed("truncated abbreviations") }
        let abbreviations = Array(abbreviationBytes)
        let types = rawTypes.map { offset, dst, index in
            var end = index
            while end < abbreviations.count && abbreviations[end] != 0 { end += 1 }
            let abbreviation = index < abbreviations.count ? String(decoding: abbreviations[index..<end], as: UTF8.self) : ""
            return LocalTimeType(utcOffsetSeconds: offset, isDaylightSaving: dst, abbreviation: abbreviation)
        }
        guard !types.isEmpty else { throw malformed("no local time types") }
        var footer: POSIXZoneRule?
        if header.version >= 2 {
            _ = reader.skip(counts.leapCount * (timeSize + 4) + counts.isStdCount + counts.isUTCCount)
            if let rest = reader.bytes(reader.remaining), rest.first == 10 {
                let text = String(decoding: rest.dropFirst().prefix { $0 != 10 }, as: UTF8.self)
                if !text.isEmpty { footer = POSIXZoneRule(text) }
            }
        }
        self.init(identifier: identifier, transitions: transitions, transitionTypes: transitionTypes, types: types, footer: footer)
    }
}

private struct TZifCounts {
    var isUTCCount, isStdCount, leapCount, timeCount, typeCount, charCount: Int

    func dataLength(timeSize: Int) -> Int {
        timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4) + isStdCount + isUTCCount
    }
}

private struct TZifReader {
    let bytes: [UInt8]
    var index = 0

    var remaining: Int { bytes.count - index }

    mutating func header() -> (version: Int, counts: TZifCounts)? {
        guard remaining >= 44, bytes[index] == 0x54, bytes[index + 1] == 0x5A, bytes[index + 2] == 0x69, bytes[index + 3] == 0x66 else { return nil }
        let versionByte = bytes[index + 4]
        let version = versionByte == 0 ? 1 : Int(versionByte) - 48
        index += 20
        var values: [Int] = []
        for _ in 0..<6 {
            guard let v = int32(), v >= 0 else { return nil }
            values.append(Int(v))
        }
        return (version, TZifCounts(isUTCCount: values[0], isStdCount: values[1], leapCount: values[2], timeCount: values[3], typeCount: values[4], charCount: values[5]))
    }

    mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, remaining >= n else { return false }
        index += n
        return true
    }

    mutating func byte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, remaining >= n else { return nil }
        defer { index += n }
        return bytes[index..<(index + n)]
    }

    mutating func int32() -> Int32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[index + i]) }
        index += 4
        return Int32(bitPattern: v)
    }

    mutating func int64() -> Int64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[index + i]) }
        index += 8
        return Int64(bitPattern: v)
    }
}
