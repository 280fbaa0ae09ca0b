import CompactdSystemd
import Foundation
import Synchronization
import Testing

@Suite("Named threads")
struct NamedThreadTests {
    @Test("the operating system knows the thread by its name, as /proc shows it to top and ps")
    func kernelName() async {
        let seen = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        NamedThread.start("compactd-test") {
            // Read by the thread itself: the name the kernel keeps for it, not Foundation's.
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            seen.withLock { $0 = comm.trimmingCharacters(in: .newlines) }
            done.signal()
        }
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                done.wait()
                finished.resume()
            }
        }
        #expect(seen.withLock { $0 } == "compactd-test")
    }
}
