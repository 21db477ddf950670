package sourcing_test

import (
	"context"
	"testing"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// benchService returns a service over an in-process simulator (loopback HTTP, the real SDK) with a
// fresh memory cache.
func benchService(b *testing.B, sb *sandbox.Server, tok string) *sourcing.Service {
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithTrackingID("bench"), aliexpress.WithAccessToken(tok))
	if err != nil {
		b.Fatal(err)
	}
	ch := cache.New(cache.NewMemoryStore(cache.MemoryOptions{}), cache.Options{})
	return sourcing.NewService(c, ch, sourcing.ServiceOptions{DS: true, Simulated: true})
}

// BenchmarkSearchCold is a first search with the default filters: upstream pages, filtering, and
// the shipping of the 20 shown products, all over the simulator.
func BenchmarkSearchCold(b *testing.B) {
	sb := sandbox.NewServer(sandbox.Options{DefaultQPS: 1 << 30, QPS: map[string]int{"aliexpress.ds.freight.query": 1 << 30}})
	defer sb.Close()
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	f := catalog.DefaultFilters()
	f.Query = "phone case"
	b.ReportAllocs()
	calls := 0
	for b.Loop() {
		svc := benchService(b, sb, tok)
		before := len(sb.Calls())
		if _, err := svc.Search(context.Background(), f); err != nil {
			b.Fatal(err)
		}
		calls += len(sb.Calls()) - before
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
}

// BenchmarkSearchCached is the same search answered from the cache.
func BenchmarkSearchCached(b *testing.B) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	svc := benchService(b, sb, tok)
	f := catalog.DefaultFilters()
	f.Query = "phone case"
	if _, err := svc.Search(context.Background(), f); err != nil {
		b.Fatal(err)
	}
	before := len(sb.Calls())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Search(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(sb.Calls()) - before; n != 0 {
		b.Fatalf("cached searches made %d calls", n)
	}
}
