import CompactdCore
import NIOSSL
import PostgresNIO

/// compactd's `[state]` settings as postgres-nio's client configuration: the address or socket,
/// the password already read, and TLS as libpq's `sslmode` means it.
enum PostgresConnectionSettings {
    static func clientConfiguration(_ settings: PostgresSettings, password: String?) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let directory = settings.socketDirectory {
            // libpq's convention: the socket is .s.PGSQL.PORT in that directory.
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(directory)/.s.PGSQL.\(settings.port)", username: settings.user, password: password, database: settings.database
            )
        } else {
            configuration = PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.user, password: password, database: settings.database,
                tls: try tls(settings)
            )
        }
        configuration.options.connectTimeout = .seconds(Int64(min(settings.timeoutSeconds, 10)))
        configuration.options.maximumConnections = 8
        // A replica says it is alive every few seconds anyway; keep-alives find a dead
        // connection between those.
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(15))
        configuration.options.additionalStartupParameters = [("application_name", "compactd")]
        return configuration
    }

    static func tls(_ settings: PostgresSettings) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
        switch settings.sslMode {
        case .disable:
            return .disable
        case .prefer:
            // libpq's prefer: encrypt when the server can, check nothing.
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }
}
