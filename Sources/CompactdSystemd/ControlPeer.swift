#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a control connection, as the kernel says (`SO_PEERCRED`): not
/// what the client claims.
public struct ControlPeer: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// This process itself: the writer when no daemon runs.
    public static var current: ControlPeer { ControlPeer(pid: getpid(), uid: geteuid(), gid: getegid()) }

    /// The Unix user name of `uid`, or `uid:N` when it has none.
    public var userName: String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 1024)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.pw_name {
            return String(cString: name)
        }
        return "uid:\(uid)"
    }
}
