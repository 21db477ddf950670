package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"
)

// TestBrowserRealStackAccessibility runs axe-core over the pages as `aliscout serve` draws them
// from the simulator's data (long titles, hostile text, sellers' descriptions), at a desktop and a
// phone width, and checks that no page is wider than a 360 px phone.
func TestBrowserRealStackAccessibility(t *testing.T) {
	tb := newTab(t)
	axe := browsertest.AxeSource(t)
	base, stop := startServe(t, nil)
	t.Cleanup(func() { stop() })
	tb.Do(chromedp.Navigate(base+"/search?q=phone+case&min_orders=0"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	ids := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("[data-results] .product")).slice(0, 4).map(p => p.dataset.product)`)
	if len(ids) < 4 {
		t.Fatalf("the search shows %d products; want 4 to compare", len(ids))
	}
	pages := []struct{ name, path, wait string }{
		{"search", "/search?q=phone+case&min_orders=0", "[data-results]"},
		{"search table", "/search?q=phone+case&min_orders=0&view=table", "table.results-table"},
		{"product", "/products/" + ids[0], "#variants"},
		{"compare", "/compare?ids=" + strings.Join(ids, ","), "#compare"},
		{"import", "/import", "#urls"},
	}
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"desktop", 1440, 1000, false}, {"390 px", 390, 844, true}, {"360 px", 360, 800, true}} {
		tb.Viewport(vp.width, vp.height, vp.mobile)
		for _, p := range pages {
			tb.Do(chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			tb.WaitFor(`document.querySelectorAll('[data-shipping="pending"]').length === 0`)
			if vp.width != 360 {
				tb.CheckAxe(axe, p.name+" at "+vp.name)
			}
			if over := tb.Overflow(); vp.mobile && len(over) > 0 {
				t.Errorf("%s at %s is wider than the screen: %s", p.name, vp.name, strings.Join(over, ", "))
			}
		}
	}
}
