package main

import (
	"context"
	"fmt"

	"github.com/aliscout/aliscout/aliexpress"
)

// runLink turns AliExpress URLs into tracked affiliate links with aliexpress.affiliate.link.generate.
func runLink(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "link", "[flags] URL...")
	hot := fs.Bool("hot", false, "make hot-product links (the hot-product commission)")
	asJSON := fs.Bool("json", false, "print JSON")
	urls, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(urls) == 0 {
		return fmt.Errorf("%w: give one or more AliExpress URLs", errUsage)
	}
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()
	if b.client.TrackingID() == "" {
		return fmt.Errorf("%w: affiliate links need a tracking ID: set ALIEXPRESS_TRACKING_ID (from portals.aliexpress.com)", errUsage)
	}
	// Normalize product links to their canonical page so that short links and mobile links work.
	sources := make([]string, len(urls))
	for i, u := range urls {
		sources[i] = u
		if id, err := aliexpress.ResolveProductID(ctx, b.client.HTTPClient(), u); err == nil {
			sources[i] = aliexpress.ProductURL(id)
		}
	}
	opts := &aliexpress.LinkOptions{}
	if *hot {
		opts.LinkType = aliexpress.LinkTypeHot
	}
	links, _, err := b.client.Affiliate.GenerateLinks(ctx, sources, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, links)
	}
	bySource := map[string]aliexpress.PromotionLink{}
	for _, l := range links {
		bySource[l.SourceValue] = l
	}
	t := newTable(e.stdout, "SOURCE", "AFFILIATE LINK")
	failed := 0
	for i, u := range urls {
		l, ok := bySource[sources[i]]
		switch {
		case ok && l.PromotionLink != "":
			t.row(clean(u, 80), l.PromotionLink)
		case ok && l.Message != "":
			failed++
			t.row(clean(u, 80), "no link: "+clean(l.Message, 80))
		default:
			failed++
			t.row(clean(u, 80), "no link: AliExpress made none for this URL")
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "aliscout: these are affiliate links: say so where you publish them")
	if failed == len(urls) {
		return fmt.Errorf("no affiliate link could be made")
	}
	return nil
}
