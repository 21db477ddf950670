package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// durationBuckets are the upper bounds, in seconds, of the latency histograms.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts HTTP requests and AliExpress calls and writes them in the Prometheus text
// exposition format. It is safe for concurrent use.
type Metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[string]*histogram // by route
	calls     map[string]uint64     // by AliExpress method
	callTimes map[string]*histogram // by AliExpress method
	errors    map[upstreamErrKey]uint64
}

type requestKey struct {
	route, method string
	code          int
}

type upstreamErrKey struct{ method, kind string }

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func (h *histogram) observe(seconds float64) {
	i, _ := slices.BinarySearch(durationBuckets, seconds)
	h.counts[i]++
	h.sum += seconds
	h.count++
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		requests:  map[requestKey]uint64{},
		durations: map[string]*histogram{},
		calls:     map[string]uint64{},
		callTimes: map[string]*histogram{},
		errors:    map[upstreamErrKey]uint64{},
	}
}

func newHistogram() *histogram { return &histogram{counts: make([]uint64, len(durationBuckets)+1)} }

// ObserveRequest records one HTTP request answered with code after d. route is the pattern it
// matched ("GET /search"), so that the label set stays small whatever the URLs.
func (m *Metrics) ObserveRequest(route, method string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, method, code}]++
	h := m.durations[route]
	if h == nil {
		h = newHistogram()
		m.durations[route] = h
	}
	h.observe(d.Seconds())
}

// ObserveUpstream records one AliExpress call attempt of method that took d and failed with err
// (nil on success). The error is counted by kind: rate_limited, unavailable, signature, ...
func (m *Metrics) ObserveUpstream(method string, err error, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[method]++
	h := m.callTimes[method]
	if h == nil {
		h = newHistogram()
		m.callTimes[method] = h
	}
	h.observe(d.Seconds())
	if err != nil {
		m.errors[upstreamErrKey{method, upstreamKind(err)}]++
	}
}

// ObserveCall is ObserveUpstream in the shape of aliexpress.WithObserver, to hook the metrics to
// the AliExpress client: aliexpress.WithObserver(metrics.ObserveCall).
func (m *Metrics) ObserveCall(ci aliexpress.CallInfo) {
	m.ObserveUpstream(ci.Method, ci.Err, ci.Duration)
}

// upstreamKinds names the SDK's error kinds for the kind label.
var upstreamKinds = []struct {
	err  error
	name string
}{
	{aliexpress.ErrRateLimited, "rate_limited"},
	{aliexpress.ErrBudgetExhausted, "budget_exhausted"},
	{aliexpress.ErrUnavailable, "unavailable"},
	{aliexpress.ErrMalformedResponse, "malformed_response"},
	{aliexpress.ErrSignature, "signature"},
	{aliexpress.ErrAppKey, "app_key"},
	{aliexpress.ErrInvalidToken, "invalid_token"},
	{aliexpress.ErrInvalidRefreshToken, "invalid_refresh_token"},
	{aliexpress.ErrInvalidCode, "invalid_code"},
	{aliexpress.ErrPermission, "permission"},
	{aliexpress.ErrIPNotAllowed, "ip_not_allowed"},
	{aliexpress.ErrTimestamp, "timestamp"},
	{aliexpress.ErrInvalidParameter, "invalid_parameter"},
	{aliexpress.ErrUnknownMethod, "unknown_method"},
	{aliexpress.ErrNoResults, "no_results"},
	{aliexpress.ErrPublisherNotRegistered, "publisher_not_registered"},
	{aliexpress.ErrItemNotFound, "item_not_found"},
	{aliexpress.ErrNotAllowedToCountry, "not_allowed_to_country"},
	{aliexpress.ErrDeliveryUnavailable, "delivery_unavailable"},
	{aliexpress.ErrDuplicateOrder, "duplicate_order"},
	{aliexpress.ErrOrderRejected, "order_rejected"},
	{aliexpress.ErrTrackingNotFound, "tracking_not_found"},
	{context.DeadlineExceeded, "timeout"},
	{context.Canceled, "canceled"},
	{aliexpress.ErrAPI, "api"},
}

func upstreamKind(err error) string {
	for _, k := range upstreamKinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

// WritePrometheus writes the metrics, and the cache counters when stats is not nil, in the Prometheus text
// exposition format (version 0.0.4).
func (m *Metrics) WritePrometheus(w io.Writer, stats func() CacheStats) error {
	var b strings.Builder
	m.mu.Lock()
	m.writeRequests(&b)
	m.writeUpstream(&b)
	m.mu.Unlock()
	if stats != nil {
		s := stats()
		for _, c := range []struct {
			name, help string
			v          uint64
		}{
			{"aliscout_cache_hits_total", "Cache fetches answered from a fresh entry.", s.Hits},
			{"aliscout_cache_misses_total", "Cache fetches that needed an upstream load.", s.Misses},
			{"aliscout_cache_stale_total", "Cache fetches answered with stale data after a failed load.", s.Stale},
			{"aliscout_cache_loads_total", "Upstream loads run by the cache.", s.Loads},
			{"aliscout_cache_load_errors_total", "Upstream loads that failed.", s.LoadErrors},
		} {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.v)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (m *Metrics) writeRequests(b *strings.Builder) {
	b.WriteString("# HELP aliscout_http_requests_total HTTP requests by route, method and status code.\n")
	b.WriteString("# TYPE aliscout_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		return strings.Compare(fmt.Sprintf("%s\x00%s\x00%03d", a.route, a.method, a.code), fmt.Sprintf("%s\x00%s\x00%03d", b.route, b.method, b.code))
	})
	for _, k := range keys {
		fmt.Fprintf(b, "aliscout_http_requests_total{route=%s,method=%s,code=\"%d\"} %d\n", label(k.route), label(k.method), k.code, m.requests[k])
	}
	b.WriteString("# HELP aliscout_http_request_duration_seconds Time to answer an HTTP request, by route.\n")
	b.WriteString("# TYPE aliscout_http_request_duration_seconds histogram\n")
	writeHistograms(b, "aliscout_http_request_duration_seconds", "route", m.durations)
}

func (m *Metrics) writeUpstream(b *strings.Builder) {
	b.WriteString("# HELP aliscout_upstream_calls_total AliExpress API call attempts by method.\n")
	b.WriteString("# TYPE aliscout_upstream_calls_total counter\n")
	for _, method := range sortedKeys(m.calls) {
		fmt.Fprintf(b, "aliscout_upstream_calls_total{method=%s} %d\n", label(method), m.calls[method])
	}
	b.WriteString("# HELP aliscout_upstream_errors_total Failed AliExpress API call attempts by method and kind of failure.\n")
	b.WriteString("# TYPE aliscout_upstream_errors_total counter\n")
	keys := make([]upstreamErrKey, 0, len(m.errors))
	for k := range m.errors {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b upstreamErrKey) int {
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return strings.Compare(a.kind, b.kind)
	})
	for _, k := range keys {
		fmt.Fprintf(b, "aliscout_upstream_errors_total{method=%s,kind=%s} %d\n", label(k.method), label(k.kind), m.errors[k])
	}
	b.WriteString("# HELP aliscout_upstream_call_duration_seconds Time of one AliExpress API call attempt, by method.\n")
	b.WriteString("# TYPE aliscout_upstream_call_duration_seconds histogram\n")
	writeHistograms(b, "aliscout_upstream_call_duration_seconds", "method", m.callTimes)
}

func writeHistograms(b *strings.Builder, name, labelName string, hs map[string]*histogram) {
	for _, key := range sortedKeys(hs) {
		h := hs[key]
		lv := label(key)
		var cum uint64
		for i, le := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(b, "%s_bucket{%s=%s,le=\"%s\"} %d\n", name, labelName, lv, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(durationBuckets)]
		fmt.Fprintf(b, "%s_bucket{%s=%s,le=\"+Inf\"} %d\n", name, labelName, lv, cum)
		fmt.Fprintf(b, "%s_sum{%s=%s} %s\n", name, labelName, lv, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(b, "%s_count{%s=%s} %d\n", name, labelName, lv, h.count)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// label quotes a label value as the exposition format wants: backslash, double quote and newline
// escaped.
func label(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.metrics.WritePrometheus(w, s.cfg.CacheStats); err != nil {
		s.log.Debug("write metrics", "err", err)
	}
}
