package aliexpress_test

import (
	"context"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// The client's own limiter must keep a method under the platform's published QPS, so that the
// platform never bans it: ds.address.get allows 4 calls a second. The sandbox and the client share
// a fake clock, which the client's waits move forward, so the test takes no wall-clock time.
func TestLimiterKeepsUnderPublishedQPS(t *testing.T) {
	clock := &sbClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	sb := sandbox.NewServer(sandbox.Options{Now: clock.Now})
	defer sb.Close()
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	start := clock.Now()
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithAccessToken(tok), aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}),
		aliexpress.WithClock(clock.Now), aliexpress.WithSleep(clock.Sleep))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, _, err := c.DS.Addresses(context.Background(), "US", nil); err != nil {
			t.Fatalf("call %d: %v; want the client to wait instead of being banned", i, err)
		}
	}
	// Ten calls at four a second take more than two seconds.
	if waited := clock.Now().Sub(start); waited < 2*time.Second || waited > 3*time.Second {
		t.Errorf("ten calls took %s on the clock; want between 2s and 3s", waited)
	}
}
