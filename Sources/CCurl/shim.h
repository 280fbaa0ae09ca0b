#ifndef COMPACTD_CCURL_SHIM_H
#define COMPACTD_CCURL_SHIM_H

// Typed wrappers around libcurl's variadic calls. Swift cannot call C variadic functions, so
// each option type gets one inline function with a fixed signature.
#include <curl/curl.h>

static inline CURLcode compactd_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode compactd_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode compactd_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode compactd_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode compactd_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*compactd_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

static inline CURLcode compactd_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, compactd_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode compactd_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode compactd_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode compactd_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

// CURLVERSION_NOW is a macro, which Swift does not import.
static inline curl_version_info_data *compactd_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

static inline CURLMcode compactd_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

#endif
