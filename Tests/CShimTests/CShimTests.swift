import CCurl
import CSystemd
import Testing

/// The system-library targets build, link and call through their typed shims.
@Suite("C library shims")
struct CShimTests {
    @Test("libcurl: version, an easy handle and a typed setopt")
    func curl() throws {
        let info = try #require(compactd_curl_version_info())
        var protocols: [String] = []
        var cursor = info.pointee.protocols
        while let entry = cursor?.pointee {
            protocols.append(String(cString: entry))
            cursor = cursor?.advanced(by: 1)
        }
        #expect(protocols.contains("https"))
        #expect(protocols.contains("smtps"))
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(compactd_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(compactd_curl_easy_setopt_string(handle, CURLOPT_URL, "https://127.0.0.1/") == CURLE_OK)
    }

    @Test("libsystemd: no watchdog and no notify socket outside systemd")
    func systemd() {
        #expect(sd_watchdog_enabled(0, nil) == 0)
        #expect(sd_notify(0, "STATUS=testing") == 0)
    }
}
