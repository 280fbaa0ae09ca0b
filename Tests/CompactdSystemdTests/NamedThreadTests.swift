import CompactdSystemd
import Foundation
import Testing

@Suite("Named threads")
struct NamedThreadTests {
    @Test("the operating system knows the thread by its name, as /proc shows it to top and ps")
    func kernelName() async {
        let seen = await withCheckedContinuation { (seen: CheckedContinuation<String, Never>) in
            NamedThread.start("compactd-test") {
                // Read by the thread itself: the name the kernel keeps for it, not Foundation's.
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                seen.resume(returning: comm.trimmingCharacters(in: .newlines))
            }
        }
        #expect(seen == "compactd-test")
    }
}
