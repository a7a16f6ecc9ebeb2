// libcurl for `hotspot fetch` (HotspotIO/Fetch/HTTPClient.swift). curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call: these typed wrappers can.
#include <curl/curl.h>

typedef size_t (*hs_curl_callback)(char *data, size_t size, size_t count, void *user);

static inline CURLcode hs_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hs_curl_set_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hs_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hs_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hs_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hs_curl_set_callback(CURL *h, CURLoption o, hs_curl_callback f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode hs_curl_info_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode hs_curl_info_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
