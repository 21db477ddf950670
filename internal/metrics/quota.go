package metrics

import "github.com/prometheus/client_golang/prometheus"

// Quota registers the shared quota's collectors, once: the calls it refused, by reason
// ("budget": the day's budget is spent; "share": a user's share is), and the upstream calls the
// cache saved, read from saved at every scrape. It returns the recorder of refusals.
func (m *Metrics) Quota(saved func() uint64) (refused func(reason string)) {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aliscout_quota_refused_total", Help: "AliExpress calls the shared daily quota refused, by reason (budget, share).",
	}, []string{"reason"})
	for _, r := range []string{"budget", "share"} {
		vec.WithLabelValues(r) // both series from the start, at 0
	}
	m.reg.MustRegister(vec, prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "aliscout_cache_calls_saved_total", Help: "Cache fetches answered without an upstream load of their own (hits, shared loads, remembered failures).",
	}, func() float64 { return float64(saved()) }))
	return func(reason string) {
		if reason != "budget" && reason != "share" {
			reason = "budget"
		}
		vec.WithLabelValues(reason).Inc()
	}
}
