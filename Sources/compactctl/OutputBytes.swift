import CompactdCore
import Glibc

/// Bytes on their way to standard output, copied into place run by run, and written with
/// write(2) in blocks of about 64 KiB (print(_:) takes a lock and may flush per line).
///
/// `agenda -o json` assembles each notice from a dozen runs of bytes it wrote once; appending
/// each to an `[UInt8]` checked its uniqueness and capacity every time (a fifth of writing a
/// year's agenda), and handing a block to FileHandle copied it into `Data` first. Tables and
/// CSV write through `write`, which writes a block out once one has gathered.
final class OutputBytes {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0
    /// Written out once this many bytes gathered.
    let blockSize: Int

    init(blockSize: Int = 64 << 10) {
        self.blockSize = blockSize
        capacity = blockSize * 2
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Room for `more` bytes after those gathered, so `appendReserved` needs no check.
    func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let grown = max(capacity * 2, count + more)
        let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        larger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = larger
        capacity = grown
    }

    /// Copies `bytes` in; `reserve` made room for them.
    @inline(__always)
    func appendReserved(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func appendReserved(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendReserved($0) }
    }

    /// Copies a literal in; `reserve` made room for it.
    @inline(__always)
    func appendReserved(_ literal: StaticString) {
        literal.withUTF8Buffer { appendReserved(UnsafeRawBufferPointer($0)) }
    }

    /// Copies `text` in as the contents of a JSON string (`JSONWriter.appendEscaped`); `reserve`
    /// made room for it escaped at its longest, six bytes a byte. Returns where it went, for
    /// `appendCopyReserved` to write it again.
    @discardableResult
    func appendEscapedReserved(_ text: String) -> Range<Int> {
        let start = count
        // The string's own bytes, read where they are (a copy of the string to call the
        // mutating `withUTF8` retained and released it, six times a notice), copied in as they
        // are checked; escaped only when a byte needs it.
        if text.utf8.withContiguousStorageIfAvailable({ appendIfNothingToEscape($0) }) != true {
            var text = text
            text.withUTF8 { utf8 in JSONWriter.forEachEscapedRun(utf8) { appendReserved($0) } }
        }
        return start..<count
    }

    /// Copies `utf8` in eight bytes at a time, each word checked (`JSONWriter.needsEscape`) before
    /// it is stored, the last eight overlapping those before them; false, with nothing counted,
    /// at the first that needs escaping. `reserve` made room for it. `JSONWriter.needsEscaping`
    /// reads a text the same way without copying it; one function for both, the store made
    /// optional, cost writing a year's agenda 8 million more instructions of 200.
    @inline(__always)
    private func appendIfNothingToEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = utf8.count
        guard length > 0, let source = utf8.baseAddress else { return true }
        let destination = base + count
        if length < 8 {
            for i in 0..<length {
                let byte = source[i]
                if JSONWriter.needsEscape(byte: byte) { return false }
                destination.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
            }
        } else {
            let words = UnsafeRawPointer(source)
            var i = 0
            while i + 8 < length {
                let word = words.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if JSONWriter.needsEscape(word) { return false }
                destination.storeBytes(of: word, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            let last = words.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            if JSONWriter.needsEscape(last) { return false }
            destination.storeBytes(of: last, toByteOffset: length - 8, as: UInt64.self)
        }
        count += length
        return true
    }

    /// Copies bytes already gathered (`range`, from `appendEscapedReserved` since the last
    /// `reserve`) to the end; `reserve` made room for them.
    func appendCopyReserved(_ range: Range<Int>) {
        (base + count).copyMemory(from: base + range.lowerBound, byteCount: range.count)
        count += range.count
    }

    func append(_ bytes: [UInt8]) {
        reserve(bytes.count)
        appendReserved(bytes)
    }

    /// Appends the text's UTF-8, then writes a block out if one has gathered.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            reserve(bytes.count)
            appendReserved(UnsafeRawBufferPointer(bytes))
        }
        flushIfFull()
    }

    /// Appends `bytes`, then writes a block out if one has gathered.
    func write(bytes: [UInt8]) {
        append(bytes)
        flushIfFull()
    }

    /// Drops the byte at `offset` (the first notice's leading comma).
    func remove(at offset: Int) {
        precondition(offset < count)
        (base + offset).copyMemory(from: base + offset + 1, byteCount: count - offset - 1)
        count -= 1
    }

    /// Writes what gathered when a block is full.
    func flushIfFull() {
        if count >= blockSize { flush() }
    }

    /// Writes everything gathered to standard output.
    func flush() {
        var written = 0
        while written < count {
            let n = Glibc.write(STDOUT_FILENO, base + written, count - written)
            if n < 0 {
                if errno == EINTR { continue }
                // A closed pipe ends the process by SIGPIPE before this; anything else (a full
                // disk) is said, not written past.
                let message = Array("compactctl: writing standard output failed: \(String(cString: strerror(errno)))\n".utf8)
                _ = message.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
                exit(74)  // EX_IOERR
            }
            written += n
        }
        count = 0
    }
}
