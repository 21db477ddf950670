package aliexpress_test

import (
	"context"
	"testing"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// The client's own limiter must keep a method under the platform's published QPS, so that the
// platform never bans it: ds.address.get allows 4 calls a second.
func TestLimiterKeepsUnderPublishedQPS(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithAccessToken(tok), aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, _, err := c.DS.Addresses(context.Background(), "US", nil); err != nil {
			t.Fatalf("call %d: %v; want the client to wait instead of being banned", i, err)
		}
	}
}
