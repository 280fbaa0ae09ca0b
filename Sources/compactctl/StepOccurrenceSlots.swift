import CompactdCore

/// Something worked out once per step occurrence, found again by the occurrence's identity in
/// a table of slots indexed by its address: no hashing and no probing, for the 420,000 notices
/// of a year at 10,000 compacts (a dictionary by identity was three quarters of writing them).
/// A slot holds its step occurrence, so the address is not reused while it is there; a step
/// whose slot another took is simply worked out again.
struct StepOccurrenceSlots<Value> {
    private let bits: Int
    private var slots: [(step: StepOccurrence, value: Value)?]

    /// Thirty-two slots a compact (fewer collided often enough to show), from 1,024 (the
    /// shipped nine compacts) to 65,536 (2,000 and more): a small agenda does not make and
    /// clear a megabyte it never uses.
    init(compacts: Int) {
        var bits = 10
        while bits < 16 && (1 << bits) < compacts * 32 { bits += 1 }
        self.bits = bits
        slots = Array(repeating: nil, count: 1 << bits)
    }

    /// Fibonacci hashing of the address: objects are 16-byte aligned and close together.
    private func slot(_ step: StepOccurrence) -> Int {
        Int(truncatingIfNeeded: (UInt(bitPattern: ObjectIdentifier(step)) &* 0x9E37_79B9_7F4A_7C15) >> (UInt.bitWidth - bits))
    }

    subscript(step: StepOccurrence) -> Value? {
        get {
            guard let entry = slots[slot(step)], entry.step === step else { return nil }
            return entry.value
        }
        set {
            slots[slot(step)] = newValue.map { (step, $0) }
        }
    }
}
