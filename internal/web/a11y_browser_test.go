package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"
)

// a11yPage is a page the accessibility and narrow-screen checks visit: a URL, or a form to fill
// and submit on it.
type a11yPage struct {
	name, path string
	wait       string              // an element that shows the page is ready
	shot       string              // the name of its screenshot at phone width, if any
	then       func(b *browserEnv) // what to do on the page before checking it (a submit)
}

// a11yPages are every page of the app, in the states a user meets them.
var a11yPages = []a11yPage{
	{name: "search, empty", path: "/search", wait: "#q"},
	{name: "search, grid", path: "/search?q=holder", wait: "[data-results]", shot: "search-grid"},
	{name: "search, table", path: "/search?q=holder&view=table", wait: "table.results-table", shot: "search-table"},
	{name: "search, bad input", path: "/search?q=holder&min_price=abc&min_orders=-3", wait: "#form-errors"},
	{name: "search, no match", path: "/search?q=nothing", wait: ".empty"},
	{name: "search, shipping loading", path: "/search?q=lazy", wait: "[data-results]"},
	{name: "compare, empty", path: "/compare", wait: "#compare-empty"},
	{name: "compare, four", path: "/compare?ids=1005000000000001,1005000000000002,1005000000000003,1005000000000100", wait: "#compare", shot: "compare"},
	{name: "product", path: "/products/1005000000000001", wait: "#variants", shot: "product"},
	{name: "import", path: "/import", wait: "#urls"},
	{name: "import, preview", path: "/import", wait: "#urls", then: func(b *browserEnv) {
		b.Do(chromedp.SendKeys(chromedp.ID("urls"), "1005000000000001\n1005000000000002\nnot a link\n"))
		b.Navigate(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
		b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	}},
	{name: "not found", path: "/nope", wait: "#error"},
}

// visit opens p in the tab.
func (b *browserEnv) visit(p a11yPage) {
	b.t.Helper()
	// Each page starts with nothing picked: a selection left by the page before would send the
	// empty compare page on to the picked products.
	b.Do(chromedp.Evaluate[chromedp.Void](`try { localStorage.clear() } catch (e) {}`))
	b.Do(chromedp.Navigate(b.ts.URL+p.path), chromedp.WaitReady(chromedp.CSS(p.wait)))
	if p.then != nil {
		p.then(b)
	}
}

// TestBrowserAccessibility runs axe-core over every page at a desktop and a phone width: the
// WCAG 2.x A and AA rules (contrast, names, labels, landmarks) and axe's best practices.
func TestBrowserAccessibility(t *testing.T) {
	b := newBrowserEnv(t)
	axe := browsertest.AxeSource(t)
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"desktop", 1440, 1000, false}, {"390 px", 390, 844, true}} {
		b.Viewport(vp.width, vp.height, vp.mobile)
		for _, p := range a11yPages {
			b.visit(p)
			b.CheckAxe(axe, p.name+" at "+vp.name)
		}
	}
}

// TestBrowserFitsNarrowScreens checks that no page is wider than a phone's screen: nothing makes
// the user scroll sideways to see the page (a wide table scrolls inside its own frame).
func TestBrowserFitsNarrowScreens(t *testing.T) {
	b := newBrowserEnv(t)
	for _, width := range []int64{360, 390} {
		b.Viewport(width, 800, true)
		for _, p := range a11yPages {
			b.visit(p)
			if over := b.Overflow(); len(over) > 0 {
				t.Errorf("%s at %d px is wider than the screen: %s", p.name, width, strings.Join(over, ", "))
			}
			if width == 390 && p.shot != "" {
				b.ImagesLoaded()
				b.Screenshot(p.shot + "-390")
			}
		}
	}
}

// TestBrowserPhoneResultsFirst checks that on a phone the results come before the filters and
// the calculator, which fold behind their headings and open with a tap.
func TestBrowserPhoneResultsFirst(t *testing.T) {
	b := newBrowserEnv(t)
	b.Viewport(390, 844, true)
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if top := browsertest.Eval[float64](b.Tab, `document.querySelector("[data-results] .product").getBoundingClientRect().top`); top > 844 {
		t.Errorf("the first product starts %.0f px down on a 844 px tall phone; want it on the first screen", top)
	}
	for _, id := range []string{"filters", "calc"} {
		if browsertest.Eval[bool](b.Tab, `document.getElementById("`+id+`").open`) {
			t.Errorf("#%s is open on a phone; want it folded", id)
		}
	}
	b.Do(chromedp.Click(chromedp.CSS("#filters summary")))
	if !browsertest.Eval[bool](b.Tab, `document.querySelector('select[name="sort"]').getBoundingClientRect().height > 0`) {
		t.Error("tapping Filters does not show the filters")
	}
	// A field with a problem keeps its section open.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder&min_price=abc"), chromedp.WaitVisible(chromedp.ID("form-errors")))
	if !browsertest.Eval[bool](b.Tab, `document.getElementById("filters").open`) {
		t.Error("the filters are folded although Min. price is refused; want them open")
	}
	// Wide tables say that they scroll, and only then.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder&view=table"), chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if !browsertest.Eval[bool](b.Tab, `!document.getElementById("results-hint").hidden && document.getElementById("results-hint").offsetHeight > 0`) {
		t.Error("the results table scrolls sideways on a phone without saying so")
	}
	b.Viewport(1440, 1000, false)
	b.Do(chromedp.Navigate(b.ts.URL+"/products/1005000000000001"), chromedp.WaitVisible(chromedp.ID("variants")))
	if browsertest.Eval[bool](b.Tab, `document.getElementById("shipping-hint").offsetHeight > 0`) {
		t.Error("the shipping table fits on a desktop, yet the page says it scrolls")
	}
	if !browsertest.Eval[bool](b.Tab, `document.getElementById("calc").open`) {
		t.Error("the calculator is folded on a desktop; want it open")
	}
}

// TestBrowserKeyboardSkipsToResults checks the first Tab stops: a skip link to the content and
// one to the results, which lands on the results.
func TestBrowserKeyboardSkipsToResults(t *testing.T) {
	b := newBrowserEnv(t)
	// A results page does not put the focus in the search box: the keyboard starts at the top.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if f := browsertest.Eval[string](b.Tab, `document.activeElement.tagName`); f != "BODY" {
		t.Errorf("the results page starts with the focus on %s; want it at the top of the page", f)
	}
	focused := func() string {
		return browsertest.Eval[string](b.Tab, `(e => e.id || e.getAttribute("href") || e.tagName)(document.activeElement)`)
	}
	b.Do(chromedp.KeyEvent("\t"))
	if f := focused(); f != "#main" {
		t.Errorf("first Tab stop = %s; want the skip link to the content", f)
	}
	b.Do(chromedp.KeyEvent("\t"))
	if f := focused(); f != "#results-h" {
		t.Errorf("second Tab stop = %s; want the skip link to the results", f)
	}
	b.Do(chromedp.KeyEvent("\r"))
	b.Do(chromedp.KeyEvent("\t"))
	if in := browsertest.Eval[bool](b.Tab, `document.activeElement.closest("[data-results], .toolbar") !== null`); !in {
		t.Errorf("after the skip link, Tab goes to %s; want the results", focused())
	}
	// The focus ring stands out from the white of a card by 3:1 at least (WCAG 1.4.11).
	ring := browsertest.Eval[float64](b.Tab, `(() => {
		const el = document.activeElement, c = getComputedStyle(el).outlineColor.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
		const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		return (1 + 0.05) / (lum(c) + 0.05);
	})()`)
	if ring < 3 {
		t.Errorf("the focus ring's contrast with white is %.2f:1; want 3:1 or more", ring)
	}
	if h1 := browsertest.Eval[string](b.Tab, `document.querySelector("h1").textContent`); !strings.Contains(h1, "holder") {
		t.Errorf("search page h1 = %q; want it to say what was searched", h1)
	}
}

// TestBrowserSellingPriceAsTyped checks that a selling price typed with a decimal comma or a
// currency sign counts, live and on the server alike.
func TestBrowserSellingPriceAsTyped(t *testing.T) {
	b := newBrowserEnv(t)
	profit := `document.querySelector('[data-product="1005000000000001"] [data-out="profit"]').textContent`
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder&rule="), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	var want string
	for _, typed := range []string{"14.99", "14,99", "$14.99", "14,99 USD"} {
		b.Do(browsertest.SetValue(`[data-calc="sell"]`, typed, "input"))
		got := browsertest.Eval[string](b.Tab, profit)
		if want == "" {
			want = got
		}
		if got != want || got == "–" {
			t.Errorf("selling price %q: live profit %q; want %q, as for 14.99", typed, got, want)
		}
	}
	b.Navigate(chromedp.Click(chromedp.CSS(`#calc button[type="submit"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if got := browsertest.Eval[string](b.Tab, profit); got != want {
		t.Errorf("server profit at 14,99 USD = %q; want %q", got, want)
	}
}
