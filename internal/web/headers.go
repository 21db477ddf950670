package web

import "net/http"

// headerValue is a header value shared by every response that sends it, set with setShared:
// each response would otherwise allocate its own one-element slice. Sharing is safe because
// net/http copies a response's header map when it writes it, Header.Set replaces the slice, and
// Header.Add appends to a slice with no room left (its capacity is its length), which copies it.
type headerValue []string

// shared makes the headerValue of v.
func shared(v string) headerValue { return headerValue{v}[:1:1] }

// setShared sets h's key (given in canonical form) to v.
func setShared(h http.Header, key string, v headerValue) { h[key] = v }

// Header values the hot paths send.
var (
	hvJSON         = shared("application/json; charset=utf-8")
	hvHTML         = shared("text/html; charset=utf-8")
	hvText         = shared("text/plain; charset=utf-8")
	hvNoStore      = shared("no-store")
	hvPrivateCheck = shared("private, no-cache") // may be kept, but asked for again (ETag)
	hvGzip         = shared("gzip")
	hvVaryEncoding = shared("Accept-Encoding")
	hvNoSniff      = shared("nosniff")
	hvReferrer     = shared("strict-origin-when-cross-origin")
	hvDeny         = shared("DENY")
	hvSameOrigin   = shared("same-origin")
)

// varyOnEncoding adds Accept-Encoding to h's Vary header, once.
func varyOnEncoding(h http.Header) {
	vary := h["Vary"]
	if len(vary) == 0 {
		setShared(h, "Vary", hvVaryEncoding)
		return
	}
	for _, v := range vary {
		if v == "Accept-Encoding" {
			return
		}
	}
	h["Vary"] = append(vary, "Accept-Encoding")
}
