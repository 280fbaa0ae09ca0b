import CompactdCore
import Foundation

extension ConfigurationLoader {
    static let deliveryKeys = ["retry_schedule", "connect_timeout", "timeout", "max_concurrent", "max_per_host", "ca_file", "max_response_bytes"]

    func readDelivery(_ reader: TOMLTableReader) -> DeliverySettings {
        var settings = DeliverySettings()
        if let delays = reader.timeSpanArray("retry_schedule") {
            if delays.isEmpty || delays.count > 50 {
                reader.report("retry_schedule", "has \(delays.count) entries; expected 1 to 50 waits between attempts")
            } else {
                settings.retryDelays = delays
            }
        }
        if let connect = reader.timeSpan("connect_timeout") { settings.connectTimeout = connect }
        if let total = reader.timeSpan("timeout") { settings.totalTimeout = total }
        if DeliverySettings.milliseconds(settings.totalTimeout) < 1 || settings.totalTimeout.months > 0 {
            reader.report("timeout", "must be a positive span under a month, such as \"30s\"")
        }
        if let n = reader.int("max_concurrent", range: 1...1024, expected: "an integer from 1 to 1024") { settings.maxConcurrentTransfers = n }
        if let n = reader.int("max_per_host", range: 1...1024, expected: "an integer from 1 to 1024") { settings.maxConnectionsPerHost = n }
        if let n = reader.int("max_response_bytes", range: 0...(16 << 20), expected: "a byte count from 0 to 16777216") { settings.maxResponseBytes = n }
        if let caFile = reader.text("ca_file", expected: "a path to a PEM CA bundle") {
            if !FileManager.default.isReadableFile(atPath: caFile) {
                reader.report("ca_file", "'\(caFile)' cannot be read; expected a readable PEM CA bundle")
            }
            settings.caFile = caFile
        }
        reader.finish(known: Self.deliveryKeys)
        return settings
    }
}
