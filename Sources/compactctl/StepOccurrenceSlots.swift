import CompactdCore

/// Something worked out once per step occurrence, found again by the occurrence's identity in
/// a table of 65,536 slots indexed by its address: no hashing and no probing, for the 420,000
/// notices of a year at 10,000 compacts (a dictionary by identity was three quarters of
/// writing them). A slot holds its step occurrence, so the address is not reused while it is
/// there; a step whose slot another took is simply worked out again.
struct StepOccurrenceSlots<Value> {
    private static var bits: Int { 16 }
    private var slots: [(step: StepOccurrence, value: Value)?] = Array(repeating: nil, count: 1 << Self.bits)

    /// Fibonacci hashing of the address: objects are 16-byte aligned and close together.
    private static func slot(_ step: StepOccurrence) -> Int {
        Int(truncatingIfNeeded: (UInt(bitPattern: ObjectIdentifier(step)) &* 0x9E37_79B9_7F4A_7C15) >> (UInt.bitWidth - bits))
    }

    subscript(step: StepOccurrence) -> Value? {
        get {
            guard let entry = slots[Self.slot(step)], entry.step === step else { return nil }
            return entry.value
        }
        set {
            slots[Self.slot(step)] = newValue.map { (step, $0) }
        }
    }
}
