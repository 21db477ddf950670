// Package metrics is aliscout's Prometheus instrumentation (client_golang): HTTP requests by route,
// AliExpress calls by method and cause of failure, and the cache's counters. Every label takes its
// values from a small fixed set, so that no request, however odd, can add a series.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds aliscout's collectors in a registry of its own. It is safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	durations    *prometheus.HistogramVec
	calls        *prometheus.CounterVec
	callErrors   *prometheus.CounterVec
	callDuration *prometheus.HistogramVec

	// routes holds the counter and histogram of each route, method and code seen (requestKey to
	// *routeMetrics): a request finds them without hashing its labels or taking a lock. The
	// labels come from small fixed sets, so it stays small.
	routes sync.Map
}

type requestKey struct {
	route, method string
	code          int
}

type routeMetrics struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns metrics registered in a fresh registry, with the Go runtime's and the process's
// collectors beside aliscout's own.
func New() *Metrics {
	buckets := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aliscout_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aliscout_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route.", Buckets: buckets,
		}, []string{"route"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aliscout_upstream_calls_total", Help: "AliExpress API call attempts by method.",
		}, []string{"method"}),
		callErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aliscout_upstream_errors_total", Help: "Failed AliExpress API call attempts by method and kind of failure.",
		}, []string{"method", "kind"}),
		callDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aliscout_upstream_call_duration_seconds", Help: "Time of one AliExpress API call attempt, by method.", Buckets: buckets,
		}, []string{"method"}),
	}
	m.reg.MustRegister(m.requests, m.durations, m.calls, m.callErrors, m.callDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// knownMethods are the HTTP methods that get a label of their own; any other is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// ObserveRequest records one HTTP request answered with code after d. route is the pattern the
// request matched ("GET /search"), or "" for none; a method outside the standard ones and a code
// outside 100-599 are labelled "other", so that strangers cannot grow the label set.
func (m *Metrics) ObserveRequest(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "other"
	}
	if !knownMethods[method] {
		method = "other"
	}
	if code < 100 || code > 599 {
		code = 0
	}
	k := requestKey{route, method, code}
	rm, ok := m.routes.Load(k)
	if !ok {
		c := "other"
		if code != 0 {
			c = strconv.Itoa(code)
		}
		rm, _ = m.routes.LoadOrStore(k, &routeMetrics{
			count: m.requests.WithLabelValues(route, method, c), duration: m.durations.WithLabelValues(route)})
	}
	r := rm.(*routeMetrics)
	r.count.Inc()
	r.duration.Observe(d.Seconds())
}

// ObserveUpstream records one AliExpress call attempt of method that took d. kind names why it
// failed ("rate_limited", "timeout", ...; internal/sourcing.Reason), "" when it succeeded. method
// comes from the SDK (the API method names aliscout calls), never from a request.
func (m *Metrics) ObserveUpstream(method, kind string, d time.Duration) {
	m.calls.WithLabelValues(method).Inc()
	m.callDuration.WithLabelValues(method).Observe(d.Seconds())
	if kind != "" {
		m.callErrors.WithLabelValues(method, kind).Inc()
	}
}

// CacheStats is a snapshot of the product cache's counters, each since start.
type CacheStats struct {
	Hits       uint64 // answered from a fresh entry
	Misses     uint64 // needed an upstream load
	Stale      uint64 // answered with a stale entry after a failed load
	Loads      uint64 // upstream loads run
	LoadErrors uint64 // upstream loads that failed
}

// ObserveCache exports the cache's counters, read from stats at every scrape.
func (m *Metrics) ObserveCache(stats func() CacheStats) {
	for _, c := range []struct {
		name, help string
		get        func(CacheStats) uint64
	}{
		{"aliscout_cache_hits_total", "Cache fetches answered from a fresh entry.", func(s CacheStats) uint64 { return s.Hits }},
		{"aliscout_cache_misses_total", "Cache fetches that needed an upstream load.", func(s CacheStats) uint64 { return s.Misses }},
		{"aliscout_cache_stale_total", "Cache fetches answered with stale data after a failed load.", func(s CacheStats) uint64 { return s.Stale }},
		{"aliscout_cache_loads_total", "Upstream loads run by the cache.", func(s CacheStats) uint64 { return s.Loads }},
		{"aliscout_cache_load_errors_total", "Upstream loads that failed.", func(s CacheStats) uint64 { return s.LoadErrors }},
	} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help},
			func() float64 { return float64(c.get(stats())) }))
	}
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
