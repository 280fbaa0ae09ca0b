/// Where each line of a text starts, to turn byte offsets into lines and columns.
struct TOMLLineIndex {
    private let text: [UInt8]
    private let lineStarts: [Int]

    init(text: [UInt8]) {
        self.text = text
        var starts = [0]
        for (i, byte) in text.enumerated() where byte == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    func location(at offset: Int) -> TOMLLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        var column = 1
        var i = lineStarts[low]
        let end = min(offset, text.count)
        while i < end {
            if text[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return TOMLLocation(line: low + 1, column: column)
    }
}
