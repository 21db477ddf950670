package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/browsertest"
	"github.com/aliscout/aliscout/internal/export"
)

// movingProduct finds a product of the simulator whose price for the US differs a day later.
func movingProduct(t *testing.T, sb *sandbox.Server, later time.Duration) int64 {
	t.Helper()
	ids := sb.SampleProductIDs(20)
	prices := func() map[int64]string {
		c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
			aliexpress.WithTrackingID("t"), aliexpress.WithClock(sb.Now))
		if err != nil {
			t.Fatal(err)
		}
		ps, _, err := c.Affiliate.ProductDetails(t.Context(), ids, &aliexpress.ProductDetailsOptions{Country: "US", TargetCurrency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]string{}
		for _, p := range ps {
			out[p.ID] = fmt.Sprint(p.TargetSalePrice)
		}
		return out
	}
	now := prices()
	sb.SetNow(func() time.Time { return time.Now().Add(later) })
	next := prices()
	sb.SetNow(nil)
	for _, id := range ids {
		if a, ok := now[id]; ok && next[id] != "" && a != next[id] {
			return id
		}
	}
	t.Fatal("no product's price moves in a day on the simulator")
	return 0
}

// TestBrowserWatchProduct drives tracking in headless Chromium over the whole stack: watch a
// product from its page, set a pricing rule, check it; a day later on the simulator's clock the
// check sees the new price: the chart draws it, the alert is in the inbox with the unread count in
// the navigation, and the price update downloads as a valid Shopify CSV.
func TestBrowserWatchProduct(t *testing.T) {
	tb := newTab(t)
	sb := sandbox.NewServer(sandbox.Options{TimestampWindow: 1000 * time.Hour})
	t.Cleanup(sb.Close)
	id := movingProduct(t, sb, 25*time.Hour)
	base, stop := startServe(t, map[string]string{"ALIEXPRESS_GATEWAY": sb.URL, "ALISCOUT_SIGNUP": "open"})
	t.Cleanup(func() { stop() })
	const email, password = "ana@example.com", "a long enough password"
	tb.Do(chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.ID("signup")),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password_confirm"]`), password))
	tb.Navigate(chromedp.Click(chromedp.ID("signup-submit")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("flash")))

	// Watch it from the product page.
	tb.Do(chromedp.Navigate(fmt.Sprintf("%s/products/%d?ship_to=US&currency=USD", base, id)), chromedp.WaitVisible(chromedp.ID("watch-product")))
	tb.Navigate(chromedp.Click(chromedp.ID("watch-product")))
	tb.Do(chromedp.Navigate(base+"/watches"), chromedp.WaitVisible(chromedp.ID("watches")))
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "watches page")
	}
	tb.Navigate(chromedp.Click(chromedp.CSS(`#watches tbody tr a`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("watch-settings")))
	tb.Do(browsertest.SetValue(`#watch-settings input[name="rule"]`, "x2 .99", "input"))
	tb.Navigate(chromedp.Click(chromedp.CSS(`#watch-settings button[type="submit"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("check-now")))
	tb.Navigate(chromedp.Click(chromedp.ID("check-now")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("price-chart")))

	// A day later.
	sb.SetNow(func() time.Time { return time.Now().Add(25 * time.Hour) })
	tb.Navigate(chromedp.Click(chromedp.ID("check-now")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("main")))
	if !browsertest.Eval[bool](tb.Tab, `!!document.getElementById("price-chart")`) {
		text := tb.Text("main")
		_, logs := stop()
		t.Fatalf("after the second check: %s\n%s", text, logs)
	}
	if f := tb.Text("#flash"); !strings.Contains(f, "a change was recorded") {
		t.Errorf("flash after the second check = %q; want a change recorded", f)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#price-chart svg circle").length`); n < 2 {
		t.Errorf("the price chart has %d points; want the two prices", n)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#price-chart .change-mark").length`); n != 1 {
		t.Errorf("the price chart marks %d changes; want 1", n)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#history tbody tr").length`); n < 2 {
		t.Errorf("the history table has %d rows; want both snapshots", n)
	}
	if u := tb.Text("#unread-alerts"); !strings.HasPrefix(u, "1") {
		t.Errorf("unread alerts in the navigation = %q; want 1", u)
	}
	tb.Screenshot("watch-chart")
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "watch page")
	}

	tb.Do(chromedp.Navigate(base+"/alerts"), chromedp.WaitVisible(chromedp.ID("alerts")))
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "alerts page")
	}
	if k := browsertest.Eval[string](tb.Tab, `document.querySelector("#alerts tr[data-kind]").dataset.kind`); k != "price_up" && k != "price_down" {
		t.Errorf("the alert's kind = %q; want price_up or price_down", k)
	}
	tb.Screenshot("watch-alerts")

	tb.Do(chromedp.Navigate(base+"/price-updates"), chromedp.WaitVisible(chromedp.ID("updates")))
	href := browsertest.Eval[string](tb.Tab, `document.getElementById("dl-shopify").href`)
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "price updates page")
	}
	tb.Screenshot("watch-price-updates")
	// The download, in the browser with its session.
	browsertest.Eval[bool](tb.Tab, `(fetch("/api/price-updates?format=shopify").then(r => r.text()).then(t => { window.csvText = t }), true)`)
	tb.WaitFor(`typeof window.csvText === "string"`)
	csv := browsertest.Eval[string](tb.Tab, `window.csvText`)
	if err := export.ValidateShopifyUpdates(strings.NewReader(csv)); err != nil {
		t.Errorf("the Shopify price update is not valid: %v\n%s", err, csv)
	}
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 || !strings.Contains(lines[1], fmt.Sprintf("AE-%d", id)) {
		t.Errorf("the Shopify price update =\n%s\nwant the one changed product's row", csv)
	}
	if !strings.HasSuffix(href, "/api/price-updates?format=shopify") {
		t.Errorf("the Shopify download link = %q", href)
	}
}
