package aliexpress_test

import (
	"context"
	"testing"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

func TestSmartMatchAllPages(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL), aliexpress.WithTrackingID("t"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	n := 0
	for p, err := range c.Affiliate.SmartMatchAll(context.Background(), &aliexpress.SmartMatchQuery{Keywords: "case"}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[p.ID] {
			t.Errorf("SmartMatchAll yielded product %d twice", p.ID)
		}
		seen[p.ID] = true
		if n++; n == 60 {
			break
		}
	}
	if n < 60 {
		t.Fatalf("SmartMatchAll yielded %d products; want to read past the first page", n)
	}
	if calls := sb.CallCount("aliexpress.affiliate.product.smartmatch"); calls < 2 {
		t.Errorf("SmartMatchAll made %d calls for 60 products; want more than one page", calls)
	}
}
