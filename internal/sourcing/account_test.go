package sourcing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// keyStore is a memory cache store that remembers every key written.
type keyStore struct {
	cache.Store
	mu   sync.Mutex
	keys []string
}

func (k *keyStore) Set(ctx context.Context, key string, e cache.Entry, keepFor time.Duration) error {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.Store.Set(ctx, key, e, keepFor)
}

// accountFixture is a service without a server-wide DS token, as when the operator configured
// none, over a simulator with two connected buyers.
func accountFixture(t *testing.T) (*sandbox.Server, *sourcing.Service, *keyStore) {
	t.Helper()
	clk := newClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	sb := sandbox.NewServer(sandbox.Options{Now: clk.Now})
	t.Cleanup(sb.Close)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithTrackingID("test-track"), aliexpress.WithClock(clk.Now), aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	ks := &keyStore{Store: cache.NewMemoryStore(cache.MemoryOptions{Now: clk.Now})}
	svc := sourcing.NewService(c, cache.New(ks, cache.Options{Now: clk.Now}), sourcing.ServiceOptions{Simulated: true, Now: clk.Now})
	return sb, svc, ks
}

// dsCallsBy counts the successful ds.product.get calls the simulator saw for the buyer nick.
func dsCallsBy(sb *sandbox.Server, nick string) int {
	n := 0
	for _, c := range sb.Calls() {
		if c.Method == "aliexpress.ds.product.get" && c.User == nick && c.Code == "0" {
			n++
		}
	}
	return n
}

// TestForAccount: a view acts as its account for the DS API, caches DS answers per account and
// shares the affiliate ones; the service itself stays on affiliate data.
func TestForAccount(t *testing.T) {
	sb, svc, ks := accountFixture(t)
	ctx := context.Background()
	id := sb.SampleProductIDs(1)[0]
	const ana, bob = "us1000000051sbox", "us1000000052sbox"
	anaTok, _ := sb.IssueToken(ana)
	bobTok, _ := sb.IssueToken(bob)

	p, err := svc.Product(ctx, id, catalog.ProductOptions{ShipTo: "US"})
	if err != nil || p.Source != catalog.SourceAffiliate {
		t.Fatalf("Product without an account = %s, %v; want affiliate data", p.Source, err)
	}
	details := sb.CallCount("aliexpress.affiliate.productdetail.get")
	for range 2 {
		p, err = svc.ForAccount(anaTok, "connected-1", nil).Product(ctx, id, catalog.ProductOptions{ShipTo: "US"})
		if err != nil || p.Source != catalog.SourceDS || len(p.Variants) == 0 {
			t.Fatalf("Product for ana = %s with %d variants, %v; want DS data", p.Source, len(p.Variants), err)
		}
	}
	if n := dsCallsBy(sb, ana); n != 1 {
		t.Errorf("ds.product.get calls as ana = %d; want 1 (the second view reads the cache)", n)
	}
	if _, err := svc.ForAccount(bobTok, "connected-2", nil).Product(ctx, id, catalog.ProductOptions{ShipTo: "US"}); err != nil {
		t.Fatal(err)
	}
	if n := dsCallsBy(sb, bob); n != 1 {
		t.Errorf("ds.product.get calls as bob = %d; want 1: another account does not get ana's cached answer", n)
	}
	if n := sb.CallCount("aliexpress.affiliate.productdetail.get"); n != details {
		t.Errorf("the views made %d productdetail.get calls; want 0, the affiliate answer is shared", n-details)
	}
	if p, _ := svc.Product(ctx, id, catalog.ProductOptions{ShipTo: "US"}); p.Source != catalog.SourceAffiliate {
		t.Errorf("after the views, the service's own Product = %s; want affiliate data still", p.Source)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for _, k := range ks.keys {
		if strings.Contains(k, anaTok) || strings.Contains(k, bobTok) {
			t.Errorf("cache key %q holds an access token", k)
		}
	}
}

// TestForAccountRenewsARefusedToken: a token the platform refuses is renewed once and the call
// made again; a renewal that fails leaves the affiliate data.
func TestForAccountRenewsARefusedToken(t *testing.T) {
	sb, svc, _ := accountFixture(t)
	ctx := context.Background()
	ids := sb.SampleProductIDs(2)
	const nick = "us1000000053sbox"
	good, _ := sb.IssueToken(nick)
	var asked []string
	renew := func(_ context.Context, refused string) (string, error) {
		asked = append(asked, refused)
		return good, nil
	}
	p, err := svc.ForAccount("revoked-token", "connected-3", renew).Product(ctx, ids[0], catalog.ProductOptions{ShipTo: "US"})
	if err != nil || p.Source != catalog.SourceDS {
		t.Fatalf("Product with a refused token and a renewal = %s, %v; want DS data", p.Source, err)
	}
	if len(asked) != 1 || asked[0] != "revoked-token" {
		t.Errorf("renew was asked %q; want once, with the refused token", asked)
	}
	failing := func(context.Context, string) (string, error) {
		return "", errors.New("the account must be connected again")
	}
	p, err = svc.ForAccount("revoked-token", "connected-4", failing).Product(ctx, ids[1], catalog.ProductOptions{ShipTo: "US"})
	if err != nil || p.Source != catalog.SourceAffiliate {
		t.Errorf("Product when the renewal fails = %s, %v; want the affiliate data", p.Source, err)
	}
}
