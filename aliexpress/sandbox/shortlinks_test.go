package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// TestShortLinksResolve checks that the affiliate links a Sandbox makes resolve to their product
// through ShortLinkClient, as the platform's redirect service resolves its own, and that the
// client reaches nothing else.
func TestShortLinksResolve(t *testing.T) {
	srv := sandbox.NewServer(sandbox.Options{})
	defer srv.Close()
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(srv.URL), aliexpress.WithTrackingID("mytrack"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := srv.SampleProductIDs(1)[0]
	links, _, err := c.Affiliate.GenerateLinks(ctx, []string{aliexpress.ProductURL(id)}, nil)
	if err != nil || len(links) != 1 || links[0].PromotionLink == "" {
		t.Fatalf("GenerateLinks = %+v, %v; want one link", links, err)
	}
	hc, err := sandbox.ShortLinkClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, err := aliexpress.ResolveProductID(ctx, hc, links[0].PromotionLink)
	if err != nil || got != id {
		t.Errorf("ResolveProductID(%s) = %d, %v; want %d", links[0].PromotionLink, got, err, id)
	}
	// A link the Sandbox did not make leads nowhere, as on the platform.
	if _, err := aliexpress.ResolveProductID(ctx, hc, "https://s.click.aliexpress.com/e/_unknown"); !errors.Is(err, aliexpress.ErrNotProductLink) {
		t.Errorf("ResolveProductID of an unknown short link: %v; want ErrNotProductLink", err)
	}
	// The client reaches the Sandbox's short links only.
	for _, u := range []string{"https://www.aliexpress.com/", "https://example.com/", srv.URL + "/sync"} {
		if resp, err := hc.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("ShortLinkClient GET %s = %s; want it refused", u, resp.Status)
		}
	}
	if _, err := sandbox.ShortLinkClient("not a url"); err == nil {
		t.Error("ShortLinkClient(\"not a url\") gave a client")
	}
}
