package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/browsertest"
)

// shopifyExport is the Shopify orders sample with the product and variant filled in and order
// #1001's province taken out (a US address without a state, which AliExpress refuses).
func shopifyExport(t *testing.T, pid int64, skuID string) string {
	t.Helper()
	raw, err := os.ReadFile("../../internal/orders/testdata/shopify_orders.csv")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("{{P1}}", strconv.FormatInt(pid, 10), "{{S1}}", skuID, "{{S2}}", skuID).Replace(string(raw))
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1 // Shopify leaves the later rows of an order short
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, row := range rows[1:] {
		if row[0] == "#1001" && len(row) == len(rows[0]) && row[col["Shipping Name"]] != "" {
			row[col["Shipping Province"]], row[col["Shipping Province Name"]] = "", ""
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orders_export.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserOrderPath drives a dropshipper's orders in headless Chromium over the whole stack and
// the simulator: connect an AliExpress account, import the store's Shopify orders export, check an
// order and see its missing province named, fix the address in the page, check again, place it,
// see it paid and shipped with its tracking number once AliExpress's webhook arrives, and download
// the tracking numbers for the store.
func TestBrowserOrderPath(t *testing.T) {
	tb := newTab(t)
	sb := sandbox.NewServer(sandbox.Options{LaunchedApp: true})
	t.Cleanup(sb.Close)
	base, stop := startServe(t, map[string]string{"ALIEXPRESS_GATEWAY": sb.URL, "ALISCOUT_SIGNUP": "open"})
	t.Cleanup(func() { stop() })
	if err := sb.SetWebhookURL(base + "/webhooks/aliexpress"); err != nil {
		t.Fatal(err)
	}
	const email, password, nick = "ana@example.com", "a long enough password", "us1000000078sbox"
	pid, _, skuID := orderableVariant(t, sb, nick)
	if err := sb.SetProduct(pid, sandbox.ProductOverride{Price: 300}); err != nil { // 3.00 USD: a margin above the floor
		t.Fatal(err)
	}
	export := shopifyExport(t, pid, skuID)

	tb.Do(chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.ID("signup")),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password_confirm"]`), password))
	tb.Navigate(chromedp.Click(chromedp.ID("signup-submit")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("flash")))
	tb.Do(chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.ID("connect-form")))
	tb.Navigate(chromedp.Click(chromedp.ID("connect-account")))
	tb.Do(chromedp.WaitVisible(chromedp.CSS(`input[name="user_nick"]`)), browsertest.SetValue(`input[name="user_nick"]`, nick, "input"))
	tb.Navigate(chromedp.Click(chromedp.CSS(`button[value="approve"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("connected-accounts")))

	// Import the store's export.
	tb.Do(chromedp.Navigate(base+"/orders"), chromedp.WaitVisible(chromedp.ID("import-orders")),
		chromedp.SendKeys(chromedp.CSS(`#import-orders input[name="store"]`), "myshop"),
		chromedp.SetUploadFiles(`#import-orders input[name="file"]`, []string{export}))
	tb.Navigate(chromedp.Click(chromedp.CSS(`#import-orders button[type="submit"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("orders")))
	if f := tb.Text("#flash"); !strings.Contains(f, "2 orders read: 2 new") {
		t.Fatalf("flash after the import = %q; want 2 new orders", f)
	}
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "orders page")
	}
	tb.Screenshot("orders-imported")

	// Check #1001: the missing province is named, and its field marked.
	link := browsertest.Eval[string](tb.Tab, `Array.from(document.querySelectorAll("#orders a")).find(a => a.textContent === "#1001").href`)
	tb.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("order-problems")))
	tb.Navigate(chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("address-form")))
	if !browsertest.Eval[bool](tb.Tab, `!!document.querySelector('#order-problems li[data-field="address.province"]')`) {
		t.Fatalf("the check did not name address.province: %s", tb.Text("#order-problems"))
	}
	if inv := browsertest.Eval[string](tb.Tab, `document.getElementById("addr-province").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("the province field's aria-invalid = %q; want true", inv)
	}
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "order page with a problem")
	}
	tb.Screenshot("order-problem")

	// Fix it, check again, place.
	tb.Do(browsertest.SetValue("#addr-province", "Texas", "input"))
	tb.Navigate(chromedp.Click(chromedp.ID("save-address")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("order-problems")))
	tb.Navigate(chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("place-order")))
	if p := tb.Text("#order-problems"); !strings.Contains(p, "No problem found") {
		t.Fatalf("after fixing the province: %s", p)
	}
	tb.Navigate(chromedp.Click(chromedp.ID("place-order")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("order-aliexpress")))
	if st := tb.Text("#order-state"); !strings.Contains(st, "placed") {
		t.Fatalf("after placing: %s", st)
	}
	aeText := browsertest.Eval[string](tb.Tab, `document.querySelector("#order-aliexpress strong").textContent`)
	aeID, err := strconv.ParseInt(strings.TrimSpace(aeText), 10, 64)
	if err != nil {
		t.Fatalf("the AliExpress order id on the page = %q", aeText)
	}
	n := 0
	for _, o := range sb.Orders() {
		if o.Country == "US" && o.User == nick {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the simulator holds %d orders for the account; want exactly 1", n)
	}

	// The customer's order is paid and ships: the webhook brings the tracking number to the page.
	if !sb.PayOrder(aeID) {
		t.Fatal("PayOrder = false")
	}
	sb.Advance(20 * 24 * time.Hour)
	orderPage := browsertest.Eval[string](tb.Tab, `location.href`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		tb.Do(chromedp.Navigate(orderPage), chromedp.WaitVisible(chromedp.ID("order-state")))
		if browsertest.Eval[bool](tb.Tab, `!!document.getElementById("order-tracking")`) {
			break
		}
		if time.Now().After(deadline) {
			_, logs := stop()
			t.Fatalf("no tracking on the order page within 30 s (webhooks: %+v): %s\n%s", sb.WebhookDeliveries(), tb.Text("#order-aliexpress"), logs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	number := tb.Text("#order-tracking tbody td:nth-child(3)")
	if !strings.HasPrefix(number, "LP") {
		t.Errorf("tracking number on the page = %q", number)
	}
	if src := browsertest.AxeSource(t); src != "" {
		tb.CheckAxe(src, "order page with tracking")
	}
	tb.Screenshot("order-tracking")

	// The tracking numbers back to the store, from the link on the orders page.
	tb.Do(chromedp.Navigate(base+"/orders"), chromedp.WaitVisible(chromedp.ID("tracking-export")))
	href := browsertest.Eval[string](tb.Tab, `document.querySelector('#tracking-export a[href*="format=shopify"]').getAttribute("href")`)
	browsertest.Eval[bool](tb.Tab, fmt.Sprintf(`(fetch(%q).then(r => r.text()).then(t => { window.csvText = t }), true)`, href))
	tb.WaitFor(`typeof window.csvText === "string"`)
	got := browsertest.Eval[string](tb.Tab, `window.csvText`)
	if !strings.HasPrefix(got, "Order Name,Tracking Number,Tracking Company") || !strings.Contains(got, "#1001,"+number+",") {
		t.Errorf("the Shopify tracking export =\n%s\nwant #1001 with %s", got, number)
	}
}
