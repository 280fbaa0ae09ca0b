/// Byte scans eight bytes at a time (SWAR: one 64-bit word's bytes compared at once), for the
/// loops that read every byte of a compact file's text: a word is passed over when none of its
/// bytes can matter, and read byte by byte when one might. Each test below is exact for a word
/// (a byte is flagged only if some byte of the word matches), so a passed word holds none.
enum WordScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Some byte of `word` is below `limit` (at most 0x80).
    @inline(__always) static func hasByte(below limit: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    /// Some byte of `word` is `byte`.
    @inline(__always) static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs != 0
    }

    /// The first index at or after `start` whose word `passes` refused (one of its eight bytes
    /// might matter), or, when every word passed, the index where fewer than eight bytes
    /// remain: the caller goes on byte by byte from there.
    @inline(__always) static func skipWords(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, while passes: (UInt64) -> Bool) -> Int {
        guard let base = buffer.baseAddress else { return start }
        let raw = UnsafeRawPointer(base)
        var i = start
        while i + 8 <= buffer.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if !passes(word) { return i }
            i += 8
        }
        return i
    }
}
