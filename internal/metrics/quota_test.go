package metrics

import (
	"strings"
	"testing"
)

func TestQuotaMetrics(t *testing.T) {
	m := New()
	refused := m.Quota(func() uint64 { return 42 })
	refused("share")
	refused("share")
	refused("anything else")
	body := scrape(t, m)
	for _, want := range []string{
		`aliscout_quota_refused_total{reason="share"} 2`,
		`aliscout_quota_refused_total{reason="budget"} 1`,
		`aliscout_cache_calls_saved_total 42`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
