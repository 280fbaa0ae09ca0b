/// How to reach the PostgreSQL database and how replicas share it.
public struct PostgresSettings: Sendable, Hashable {
    /// `sslmode` as libpq spells it. The default, `verify-full`, checks the server's
    /// certificate and its name; the weaker modes exist for loopback and for migrations.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The URL as written, without any password (safe to print).
    public var url: String
    public var host: String
    public var port: Int
    /// A Unix socket directory (`?host=/run/postgresql`), used instead of host and port.
    public var socketDirectory: String?
    public var user: String
    public var database: String
    /// The password's file or credential; nil for trust or peer authentication.
    public var password: SecretReference?
    public var sslMode: SSLMode
    /// Certificate authorities to trust for the server's certificate, instead of the system's.
    public var caFile: String?
    /// How long a claimed delivery stays its replica's without a heartbeat; after that another
    /// replica takes it and sends it under the same identity.
    public var leaseSeconds: Int
    /// How long one store operation may wait for the database before it counts as a failure.
    public var timeoutSeconds: Int

    public init(url: String, host: String, port: Int = 5432, socketDirectory: String? = nil, user: String, database: String,
                password: SecretReference? = nil, sslMode: SSLMode = .verifyFull, caFile: String? = nil, leaseSeconds: Int = 30, timeoutSeconds: Int = 10) {
        self.url = url
        self.host = host
        self.port = port
        self.socketDirectory = socketDirectory
        self.user = user
        self.database = database
        self.password = password
        self.sslMode = sslMode
        self.caFile = caFile
        self.leaseSeconds = leaseSeconds
        self.timeoutSeconds = timeoutSeconds
    }
}
