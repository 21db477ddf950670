package web

import (
	"net/http"
	"slices"
	"testing"
)

// TestSharedHeaderValues: a header value shared by every response is never changed through one
// response's header, whatever the handler does to it after.
func TestSharedHeaderValues(t *testing.T) {
	a, b := http.Header{}, http.Header{}
	setShared(a, "Vary", hvVaryEncoding)
	setShared(b, "Vary", hvVaryEncoding)
	a.Add("Vary", "Cookie")
	a.Set("Content-Type", "text/csv")
	setShared(b, "Content-Type", hvJSON)
	if !slices.Equal(hvVaryEncoding, headerValue{"Accept-Encoding"}) || !slices.Equal(b["Vary"], []string{"Accept-Encoding"}) {
		t.Errorf("after Add on one response: shared %q, other response %q; want both untouched", hvVaryEncoding, b["Vary"])
	}
	if hvJSON[0] != "application/json; charset=utf-8" {
		t.Errorf("shared Content-Type changed to %q", hvJSON[0])
	}
	varyOnEncoding(a)
	varyOnEncoding(b)
	if !slices.Equal(a["Vary"], []string{"Accept-Encoding", "Cookie"}) || !slices.Equal(b["Vary"], []string{"Accept-Encoding"}) {
		t.Errorf("varyOnEncoding: %q and %q; want Accept-Encoding once each", a["Vary"], b["Vary"])
	}
}
