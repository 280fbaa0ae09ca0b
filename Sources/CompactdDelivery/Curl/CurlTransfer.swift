import CCurl
import Foundation

/// One transfer on an easy handle, and everything the handle points at while it runs. Owned by
/// the engine's thread; the C callbacks find it through CURLOPT_*DATA. The handle is the
/// engine's: it is reset and reused for the next transfer, not freed with this object.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    let request: TransferRequest
    let continuation: CheckedContinuation<Result<TransferResponse, TransferError>, Never>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var body: [UInt8] = []
    var truncated = false
    /// The response headers compactd acts on, by lower-cased name.
    var headers: [String: String] = [:]
    static let keptHeaders = ["retry-after", "location", "content-type"]
    /// The SMTP message being uploaded, and how much of it has been read.
    var upload: [UInt8] = []
    var uploadOffset = 0

    init(handle: UnsafeMutableRawPointer, request: TransferRequest, continuation: CheckedContinuation<Result<TransferResponse, TransferError>, Never>) {
        self.handle = handle
        self.request = request
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    /// Only once the handle was reset (or freed): until then it points at these lists.
    deinit {
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
    }

    /// Sets every option. Returns a curl code other than CURLE_OK if an option was refused.
    func configure() -> CURLcode {
        var failure = CURLE_OK
        func set(_ code: CURLcode) { if failure == CURLE_OK && code != CURLE_OK { failure = code } }
        let me = Unmanaged.passUnretained(self).toOpaque()
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds))
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeoutMilliseconds))
        request.allowedProtocols.withCString { protocols in
            set(compactd_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, protocols))
            set(compactd_curl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols))
        }
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(compactd_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = request.caFile { set(compactd_curl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, me))
        set(compactd_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me))
        set(compactd_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me))
        switch request.operation {
        case .httpPost(let url, let headers, let body):
            set(compactd_curl_easy_setopt_string(handle, CURLOPT_URL, url))
            set(compactd_curl_easy_setopt_long(handle, CURLOPT_POST, 1))
            set(compactd_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS: curl keeps its own copy, so the Swift array need not outlive this call.
            body.withUnsafeBufferPointer { buffer in
                set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)))
            }
            // Each "Name: value" is written into one reused buffer that curl copies from: an
            // interpolated String per header, and its C copy, were a third of this function.
            var line: [UInt8] = []
            line.reserveCapacity(256)
            for (name, value) in headers { appendHeader(name, value, using: &line) }
            appendHeader("Expect", "", using: &line)
            set(compactd_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        case .smtp(let url, let from, let recipients, let message, let tls, let username, let password):
            set(compactd_curl_easy_setopt_string(handle, CURLOPT_URL, url))
            set(compactd_curl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
            for recipient in recipients { recipientList = curl_slist_append(recipientList, "<\(recipient)>") }
            set(compactd_curl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList))
            set(compactd_curl_easy_setopt_long(handle, CURLOPT_USE_SSL, tls == .none ? Int(CURLUSESSL_NONE.rawValue) : Int(CURLUSESSL_ALL.rawValue)))
            if let username { set(compactd_curl_easy_setopt_string(handle, CURLOPT_USERNAME, username)) }
            if let password { set(compactd_curl_easy_setopt_string(handle, CURLOPT_PASSWORD, password)) }
            upload = message
            set(compactd_curl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1))
            set(compactd_curl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)))
            set(compactd_curl_easy_setopt_data_callback(handle, CURLOPT_READFUNCTION, curlReadCallback))
            set(compactd_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, me))
        }
        return failure
    }

    /// Adds `name: value` to the request's header list (`line` is scratch space).
    private func appendHeader(_ name: String, _ value: String, using line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: name.utf8)
        line.append(UInt8(ascii: ":"))
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: value.utf8)
        line.append(0)
        headerList = line.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { curl_slist_append(headerList, $0.baseAddress) }
        }
    }

    /// The result once curl reports the transfer done.
    func result(code: CURLcode) -> Result<TransferResponse, TransferError> {
        var responseCode = 0
        _ = compactd_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        var total: curl_off_t = 0
        _ = compactd_curl_easy_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &total)
        guard code == CURLE_OK else {
            return .failure(Self.error(code: code, buffer: errorBuffer, responseCode: responseCode == 0 ? nil : responseCode, total: Int64(total)))
        }
        return .success(TransferResponse(statusCode: responseCode, headers: headers, body: body, truncated: truncated, totalMicroseconds: Int64(total)))
    }

    static func error(code: CURLcode, buffer: UnsafeMutablePointer<CChar>?, responseCode: Int? = nil, total: Int64 = 0) -> TransferError {
        var message = String(cString: curl_easy_strerror(code))
        if let buffer, buffer.pointee != 0 {
            let detail = String(cString: buffer).trimmingWhitespace()
            if !detail.isEmpty && detail != message { message += ": " + detail }
        }
        return TransferError(curlCode: Int(code.rawValue), message: message, responseCode: responseCode, totalMicroseconds: total)
    }
}

/// CURLOPT_WRITEFUNCTION: keeps the body up to the cap, then reads and drops the rest.
private let curlWriteCallback: compactd_curl_data_callback = { data, size, count, userdata in
    guard let userdata, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let room = max(0, transfer.request.maxResponseBytes - transfer.body.count)
    if room > 0 {
        let kept = min(room, length)
        data.withMemoryRebound(to: UInt8.self, capacity: kept) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: kept)) }
    }
    if length > room { transfer.truncated = true }
    return length
}

/// CURLOPT_HEADERFUNCTION: one header line at a time. Only the headers compactd acts on are
/// kept (`CurlTransfer.keptHeaders`); the others are skipped without building strings, which
/// matters at thousands of responses a second.
private let curlHeaderCallback: compactd_curl_data_callback = { data, size, count, userdata in
    guard let userdata, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    if length >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/") {
        // A new response (after a 100 Continue): start over.
        transfer.headers.removeAll()
        return length
    }
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return length }
    for name in CurlTransfer.keptHeaders where name.utf8.count == colon {
        guard zip(name.utf8, bytes[..<colon]).allSatisfy({ $0 == ($1 | 0x20) }) else { continue }
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
        transfer.headers[name] = String(value.prefix(1024))
    }
    return length
}

/// CURLOPT_READFUNCTION: feeds the SMTP message.
private let curlReadCallback: compactd_curl_data_callback = { buffer, size, count, userdata in
    guard let userdata, let buffer else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let n = min(size * count, transfer.upload.count - transfer.uploadOffset)
    guard n > 0 else { return 0 }
    transfer.upload.withUnsafeBufferPointer { source in
        buffer.withMemoryRebound(to: UInt8.self, capacity: n) { target in
            target.update(from: source.baseAddress! + transfer.uploadOffset, count: n)
        }
    }
    transfer.uploadOffset += n
    return n
}
