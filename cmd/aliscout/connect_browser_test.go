package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/browsertest"
)

// TestBrowserConnectAccount drives connecting an AliExpress account in headless Chromium over the
// whole stack: serve on the simulator (with no DS token of its own), the account page's form,
// the simulator's authorization page and back; the account with when its tokens end and the
// banner that says when to connect it again; the product page's DS variants read with the
// user's own token; disconnecting.
func TestBrowserConnectAccount(t *testing.T) {
	tb := newTab(t)
	// The simulator's app is in test status, as a new app on the platform is: its authorizations
	// last two days, so the banner asks to connect again within 7 days from the start.
	sb := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(sb.Close)
	base := startServeOn(t, sb)
	const email, password, nick = "ana@example.com", "a long enough password", "us1000000088sbox"
	id := sb.SampleProductIDs(1)[0]
	product := fmt.Sprintf("%s/products/%d?ship_to=US", base, id)

	// Sign up: the first account, the operator.
	tb.Do(chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.ID("signup")),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password_confirm"]`), password))
	tb.Navigate(chromedp.Click(chromedp.ID("signup-submit")))
	tb.Do(chromedp.WaitVisible(chromedp.ID("flash")))

	// Without an account, the product page shows the affiliate data and says why.
	tb.Do(chromedp.Navigate(product), chromedp.WaitVisible(chromedp.ID("connect-ds-note")))
	if note := tb.Text("#connect-ds-note"); !strings.Contains(note, "needs a connected AliExpress account") {
		t.Errorf("the product page's note = %q; want it to say DS data needs a connected account", note)
	}
	if src := tb.Text("#source-note"); strings.Contains(src, "Dropshipping API.") {
		t.Errorf("source note before connecting = %q; want the affiliate data", src)
	}

	// The account page: the operator sees the Callback URL; connect with a store URL.
	tb.Do(chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.ID("connect-form")))
	if cb := tb.Text("#callback-url code"); cb != base+"/connect/callback" {
		t.Errorf("the Callback URL shown to the operator = %q; want %s/connect/callback", cb, base)
	}
	tb.Do(chromedp.SendKeys(chromedp.CSS(`#connect-form input[name="store_url"]`), "https://shop.example"))
	tb.Screenshot("connect-before")
	tb.Navigate(chromedp.Click(chromedp.ID("connect-account")))
	tb.Do(chromedp.WaitVisible(chromedp.CSS(`input[name="user_nick"]`)))
	if loc := browsertest.Eval[string](tb.Tab, `location.origin + location.pathname`); loc != sb.URL+"/oauth/authorize" {
		t.Fatalf("the Connect button led to %s; want the simulator's authorization page", loc)
	}
	tb.Do(browsertest.SetValue(`input[name="user_nick"]`, nick, "input"))
	tb.Screenshot("connect-approve")
	tb.Navigate(chromedp.Click(chromedp.CSS(`button[value="approve"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("connected-accounts")))

	if loc := browsertest.Eval[string](tb.Tab, `location.pathname`); loc != "/account" {
		t.Errorf("after approving the browser is at %s; want /account", loc)
	}
	if f := tb.Text("#flash"); !strings.Contains(f, "Connected the AliExpress account "+nick) {
		t.Errorf("flash after connecting = %q; want it to name %s", f, nick)
	}
	row := `#connected-accounts tr.connected`
	if got := tb.Text(row + " .nick"); got != nick {
		t.Errorf("the connected account's nick = %q; want %s", got, nick)
	}
	if ends := tb.Text(row + " .refresh-ends"); !strings.Contains(ends, "UTC") || !strings.Contains(ends, "in 47 hours") {
		t.Errorf("the authorization's end = %q; want its date and in 47 hours (a test-status app's two days)", ends)
	}
	if ends := tb.Text(row + " .access-ends"); !strings.Contains(ends, "UTC") {
		t.Errorf("the access token's end = %q; want its date", ends)
	}
	if v := browsertest.Eval[string](tb.Tab, `document.querySelector('`+row+` input[name="store_url"]').value`); v != "https://shop.example" {
		t.Errorf("the account's store URL = %q; want https://shop.example", v)
	}
	if n := browsertest.Eval[string](tb.Tab, `(document.querySelector("#connect-banner [data-notice]") || {dataset: {}}).dataset.notice || ""`); n != "7d" {
		t.Errorf("the banner's notice = %q; want 7d: the authorization ends within 7 days", n)
	}
	if !browsertest.Eval[bool](tb.Tab, `!!document.querySelector('#connect-banner form[action="/connect/aliexpress"] button')`) {
		t.Error("the banner has no Reconnect button")
	}
	tb.noInjectedCode("account")
	tb.Screenshot("connect-account")

	// The product page: DS variants, read with the user's token; the banner on this page too.
	before := dsCallsAs(sb, nick)
	tb.Do(chromedp.Navigate(product), chromedp.WaitVisible(chromedp.ID("variants")))
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#variants tbody tr.variant").length`); n < 1 {
		t.Errorf("the product page shows %d variants; want the DS variants", n)
	}
	if src := tb.Text("#source-note"); !strings.Contains(src, "Variants and shipping from the Dropshipping API") {
		t.Errorf("source note = %q; want the Dropshipping API", src)
	}
	if browsertest.Eval[bool](tb.Tab, `!!document.getElementById("connect-ds-note")`) {
		t.Error("the product page still says DS data needs a connected account")
	}
	if !browsertest.Eval[bool](tb.Tab, `!!document.getElementById("connect-banner")`) {
		t.Error("the product page has no banner about the authorization's end")
	}
	if dsCallsAs(sb, nick) == before {
		t.Errorf("no ds.product.get reached the simulator as %s; want the product read with the user's token", nick)
	}
	tb.noInjectedCode("product")
	tb.ImagesLoaded()
	tb.Screenshot("connect-product")

	// Disconnect: the account and its banner go, and the product page says DS needs one again.
	tb.Do(chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.ID("connected-accounts")))
	tb.Navigate(chromedp.Click(chromedp.CSS(row + ` form[action$="/disconnect"] button`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("no-connected")))
	if f := tb.Text("#flash"); !strings.Contains(f, "disconnected") {
		t.Errorf("flash after disconnecting = %q", f)
	}
	if browsertest.Eval[bool](tb.Tab, `!!document.getElementById("connect-banner")`) {
		t.Error("the banner outlives the account")
	}
	tb.Screenshot("connect-disconnected")
	tb.Do(chromedp.Navigate(product), chromedp.WaitVisible(chromedp.ID("connect-ds-note")))
	if calls := browsertest.Eval[[]string](tb.Tab, `JSON.parse(sessionStorage.getItem("`+recordKey+`") || "[]")`); len(calls) != 0 {
		t.Errorf("the pages ran injected code or broke the CSP: %q; want none", calls)
	}
}
