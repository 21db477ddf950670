package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"
)

// TestBrowserOneSelection checks that the checkboxes, the "+ Compare" buttons, the tray and the
// compare page are one selection: picking a product one way shows in all the others.
func TestBrowserOneSelection(t *testing.T) {
	b := newBrowserEnv(t)
	card := func(id int64) string { return `[data-product="` + itoa(id) + `"]` }
	pressed := func(id int64) string {
		return browsertest.Eval[string](b.Tab, `document.querySelector('`+card(id)+` [data-compare]').getAttribute("aria-pressed")`)
	}
	ticked := func(id int64) bool {
		return browsertest.Eval[bool](b.Tab, `document.querySelector('`+card(id)+` input[data-pick]').checked`)
	}
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))

	// A tick picks the product for compare too.
	b.Do(chromedp.Click(chromedp.CSS(card(idHolder) + ` input[data-pick]`)))
	if p := pressed(idHolder); p != "true" {
		t.Errorf("after ticking the holder, its + Compare is aria-pressed=%q; want true", p)
	}
	// + Compare ticks the box.
	b.Do(chromedp.Click(chromedp.CSS(card(idStrip) + ` [data-compare]`)))
	if !ticked(idStrip) {
		t.Error("after + Compare on the strip, its checkbox is not ticked")
	}
	if n := b.Text("#compare-tray [data-compare-count]"); n != "2" {
		t.Errorf("tray count = %q; want 2", n)
	}
	// Unticking takes it out of compare.
	b.Do(chromedp.Click(chromedp.CSS(card(idStrip) + ` input[data-pick]`)))
	if p := pressed(idStrip); p != "false" {
		t.Errorf("after unticking the strip, its + Compare is aria-pressed=%q; want false", p)
	}
	b.Do(chromedp.Click(chromedp.CSS(card(idNoShip) + ` [data-compare]`)))

	// "Compare selected" compares exactly the selection.
	b.Navigate(chromedp.Click(chromedp.CSS(`button[data-selection="compare"]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("compare")))
	if ids := browsertest.Eval[string](b.Tab, `document.getElementById("compare").dataset.compareIds`); ids != itoa(idHolder)+","+itoa(idNoShip) {
		t.Errorf("Compare selected shows %s; want the holder and the nozzle", ids)
	}
	// Removing a product on the compare page unpicks it on the search page.
	b.Navigate(chromedp.Click(chromedp.CSS(`[data-compare-remove="` + itoa(idNoShip) + `"]`)))
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if ticked(idNoShip) || !ticked(idHolder) {
		t.Errorf("after removing the nozzle from compare: holder ticked %v, nozzle ticked %v; want only the holder", ticked(idHolder), ticked(idNoShip))
	}

	// More than compare shows: it says so rather than dropping some.
	for _, id := range []int64{idStrip, idNoShip, idStale, idHostileBase} {
		b.Do(chromedp.Click(chromedp.CSS(card(id) + ` input[data-pick]`)))
	}
	if note := b.Text("#compare-tray"); !strings.Contains(note, "5 picked") || !strings.Contains(note, "compare shows 4 at a time") {
		t.Errorf("tray with 5 picked = %q; want it to say compare shows 4", note)
	}
	b.Do(chromedp.Click(chromedp.CSS(`button[data-selection="compare"]`)))
	if s := b.Text("#pick-status"); !strings.Contains(s, "4 at a time") {
		t.Errorf("Compare selected with 5 picked says %q; want that compare shows 4 at a time", s)
	}
	if loc := browsertest.Eval[string](b.Tab, `location.pathname`); loc != "/search" {
		t.Errorf("Compare selected with 5 picked went to %s; want to stay", loc)
	}

	// A card's Export exports that product only, whatever else is picked.
	b.Navigate(chromedp.Click(chromedp.CSS(card(idStrip) + ` [data-export-one]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("#preview tr.is-found").length`); n != 1 {
		t.Errorf("a card's Export previews %d products; want 1", n)
	}
	// "Export selected" exports the whole selection.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.Navigate(chromedp.Click(chromedp.CSS(`button[data-selection="export"]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("#preview tr.is-found").length`); n != 5 {
		t.Errorf("Export selected previews %d products; want the 5 picked", n)
	}
}

// TestBrowserCompareFourFits checks that four products side by side fit a 1,400 px window.
func TestBrowserCompareFourFits(t *testing.T) {
	b := newBrowserEnv(t)
	b.Viewport(1400, 900, false)
	b.Do(chromedp.Navigate(b.ts.URL+"/compare?ids=1005000000000001,1005000000000002,1005000000000003,1005000000000100"),
		chromedp.WaitVisible(chromedp.ID("compare")))
	if w := browsertest.Eval[[]int](b.Tab, `(w => [w.scrollWidth, w.clientWidth])(document.querySelector("#compare").closest(".table-wrap"))`); w[0] > w[1] {
		t.Errorf("four products need %d px in a %d px frame at 1,400 px; want them to fit", w[0], w[1])
	}
	if b.Overflow() != nil && len(b.Overflow()) > 0 {
		t.Errorf("the compare page is wider than 1,400 px: %v", b.Overflow())
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
