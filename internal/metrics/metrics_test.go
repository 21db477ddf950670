package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

func TestMetricsExposition(t *testing.T) {
	m := New()
	m.ObserveRequest("GET /search", "GET", 200, 20*time.Millisecond)
	m.ObserveRequest("GET /api/search", "GET", 502, time.Second)
	m.ObserveUpstream("aliexpress.affiliate.product.query", "", 120*time.Millisecond)
	m.ObserveUpstream("aliexpress.ds.product.get", "rate_limited", time.Second)
	m.ObserveUpstream("aliexpress.ds.product.get", "unavailable", time.Second)
	m.ObserveCache(func() CacheStats { return CacheStats{Hits: 7, Misses: 3, Stale: 1} })
	body := scrape(t, m)
	for _, want := range []string{
		`aliscout_http_requests_total{code="200",method="GET",route="GET /search"} 1`,
		`aliscout_http_requests_total{code="502",method="GET",route="GET /api/search"} 1`,
		`aliscout_http_request_duration_seconds_count{route="GET /search"} 1`,
		`aliscout_upstream_calls_total{method="aliexpress.affiliate.product.query"} 1`,
		`aliscout_upstream_calls_total{method="aliexpress.ds.product.get"} 2`,
		`aliscout_upstream_errors_total{kind="rate_limited",method="aliexpress.ds.product.get"} 1`,
		`aliscout_upstream_errors_total{kind="unavailable",method="aliexpress.ds.product.get"} 1`,
		`aliscout_cache_hits_total 7`, `aliscout_cache_misses_total 3`, `aliscout_cache_stale_total 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMetricsLabelsBounded sends what a hostile client can: random and huge HTTP methods and odd
// codes. The series stay few and the page small.
func TestMetricsLabelsBounded(t *testing.T) {
	m := New()
	for i := range 5000 {
		m.ObserveRequest("", strings.Repeat("X", i%300)+string(rune('A'+i%26)), 600+i, time.Millisecond)
		m.ObserveRequest("GET /search", "G"+strings.Repeat("E", i%50)+"T", 200, time.Millisecond)
	}
	body := scrape(t, m)
	series := strings.Count(body, "aliscout_http_requests_total{")
	if series > 3 {
		t.Errorf("%d request series after 10,000 odd requests; want at most 3", series)
	}
	kept := 0
	m.routes.Range(func(any, any) bool { kept++; return true })
	if kept > 3 {
		t.Errorf("%d routes' metrics kept after 10,000 odd requests; want at most 3", kept)
	}
	if len(body) > 64<<10 {
		t.Errorf("metrics page is %d bytes; want it bounded", len(body))
	}
}
