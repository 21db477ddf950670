package web

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// TestSearchPageContents: a repeated search page is drawn from the content drawn the first time;
// another query, view, currency or calculator input, a stale result and changed data never get
// that content; the frame (the stale banner, the title) follows the content it wraps.
func TestSearchPageContents(t *testing.T) {
	e := newEnv(t, Config{})
	first := e.get("/search?q=holder")
	hits := e.srv.contents.served()
	again := e.get("/search?q=holder")
	if first.Code != 200 || again.Body.String() != first.Body.String() || e.srv.contents.served() != hits+1 {
		t.Fatalf("repeated search page = %d, same bytes %v, content hits %d→%d; want the same page from the kept content",
			again.Code, again.Body.String() == first.Body.String(), hits, e.srv.contents.served())
	}
	if n, _ := strconv.Atoi(again.Header().Get("Content-Length")); n != again.Body.Len() {
		t.Errorf("Content-Length %q for a %d-byte page", again.Header().Get("Content-Length"), again.Body.Len())
	}
	page := checkHTML(t, again.Body.String())
	if !page.hasText("Skip to results") || len(elementsWith(again.Body.String(), "data-product", "")) == 0 {
		t.Error("the page drawn from kept content lacks its skip link or its products")
	}
	for _, other := range []string{"/search?q=holder&currency=EUR", "/search?q=holder&view=table", "/search?q=holder&page_size=5",
		"/search?q=holder&rule=x3", "/search?q=stale"} {
		hits := e.srv.contents.served()
		w := e.get(other)
		if w.Code != 200 {
			t.Errorf("GET %s = %d", other, w.Code)
		}
		if e.srv.contents.served() != hits {
			t.Errorf("GET %s was drawn from another request's content", other)
		}
	}
	if w := e.get("/search?q=holder&currency=EUR"); !strings.Contains(w.Body.String(), "€") {
		t.Error("the EUR search page shows no euro prices")
	}
	// A stale result says so on every drawing, kept or not; the fresh page never does.
	for range 2 {
		if w := e.get("/search?q=stale"); !checkHTML(t, w.Body.String()).hasText("Showing saved results") {
			t.Error("a stale search page lacks the stale banner")
		}
	}
	// Drawn from kept content or anew, a page is the same bytes.
	e.srv.contents = newLRU[*pageContent](maxPageContents)
	if w := e.get("/search?q=holder"); w.Body.String() != first.Body.String() {
		t.Error("the search page drawn anew differs from the one drawn from kept content")
	}
	// New data (a new price) is drawn anew.
	e.fc.raisePrice(idHolder, 100)
	hits = e.srv.contents.served()
	if w := e.get("/search?q=holder"); w.Body.String() == first.Body.String() || e.srv.contents.served() != hits {
		t.Error("a new price was drawn from the old content")
	}
}

// TestProductPageContents: a repeated product page comes from the content drawn the first time;
// another destination or currency, or new data, never does.
func TestProductPageContents(t *testing.T) {
	e := newEnv(t, Config{})
	path := fmt.Sprintf("/products/%d", idHolder)
	first := e.get(path)
	hits := e.srv.contents.served()
	if again := e.get(path); again.Body.String() != first.Body.String() || e.srv.contents.served() != hits+1 {
		t.Fatal("a repeated product page was drawn anew; want the kept content")
	}
	checkHTML(t, first.Body.String())
	for _, other := range []string{path + "?ship_to=GB", path + "?currency=EUR", fmt.Sprintf("/products/%d", idStrip)} {
		hits := e.srv.contents.served()
		if w := e.get(other); w.Code != 200 || e.srv.contents.served() != hits {
			t.Errorf("GET %s = %d, drawn from kept content %v", other, w.Code, e.srv.contents.served() != hits)
		}
	}
	for range 2 {
		if w := e.get(fmt.Sprintf("/products/%d", idStale)); !checkHTML(t, w.Body.String()).hasText("Showing saved results") {
			t.Error("a stale product page lacks the stale banner")
		}
	}
	e.fc.raisePrice(idHolder, 100)
	if w := e.get(path); w.Body.String() == first.Body.String() {
		t.Error("the product's new price was drawn from the old content")
	}
}

// TestPageContentsPerViewer: the content a signed-in user sees (their lists in the "Save to
// list" form) is never shown to another user or to a visitor, and a new list is shown at once.
func TestPageContentsPerViewer(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Config: Config{OpenResearch: true}})
	ann, bob, visitor := e.browser("Firefox"), e.browser("Chrome"), e.browser("Safari")
	ann.signUp("ann@example.com")
	bob.signUp("bob@example.com")
	w := ann.post("/lists/save", url.Values{"ids": {"1005000000000001"}, "list": {"new"}, "new_list": {"Ann's secret picks"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST /lists/save = %d\n%s", w.Code, w.Body.String())
	}
	for _, path := range []string{"/search?q=holder", fmt.Sprintf("/products/%d", idHolder)} {
		for range 2 { // the second time from kept content
			if w := ann.get(path); !strings.Contains(w.Body.String(), "Ann&#39;s secret picks") {
				t.Errorf("%s: Ann does not see her list", path)
			}
			if w := bob.get(path); strings.Contains(w.Body.String(), "secret picks") {
				t.Errorf("%s: Bob sees Ann's list", path)
			}
			w := visitor.get(path)
			if strings.Contains(w.Body.String(), "secret picks") || len(elementsWith(w.Body.String(), "data-save", "")) != 0 {
				t.Errorf("%s: a visitor sees Ann's list or Save buttons", path)
			}
		}
	}
	ann.post("/lists/save", url.Values{"ids": {"1005000000000002"}, "list": {"new"}, "new_list": {"Second list"}})
	if w := ann.get("/search?q=holder"); !strings.Contains(w.Body.String(), "Second list") {
		t.Error("Ann's new list is missing from the search page drawn after it")
	}
}

// TestFrameKeyCoversTheFrame: every field of a page's frame data that changes the frame drawn
// changes its key (or makes the frame one drawn per request), so a kept frame is never shown for
// other data. A field added to base or catalog.Health must be added here.
func TestFrameKeyCoversTheFrame(t *testing.T) {
	e := newEnv(t, Config{})
	mutations := map[string]func(b *base){
		"Title":              func(b *base) { b.Title = "Other" },
		"Nav":                func(b *base) { b.Nav = "compare" },
		"Simulated":          func(b *base) { b.Simulated = !b.Simulated },
		"HealthBad":          func(b *base) { b.HealthBad = !b.HealthBad },
		"Stale":              func(b *base) { b.Stale = !b.Stale },
		"StaleReason":        func(b *base) { b.Stale, b.StaleReason = true, "timeout" },
		"FetchedAt":          func(b *base) { b.FetchedAt = b.FetchedAt.Add(time.Minute) },
		"Year":               func(b *base) { b.Year++ },
		"Accounts":           func(b *base) { b.Accounts = !b.Accounts },
		"Console":            func(b *base) { b.Console, b.Accounts = !b.Console, true },
		"Orders":             func(b *base) { b.Orders = !b.Orders },
		"Me":                 func(b *base) { b.Me, b.Accounts = &viewer{}, true },
		"Flash":              func(b *base) { b.Flash = "Saved." },
		"Save":               func(b *base) { b.Save = &saveForm{} },
		"Connect":            func(b *base) { b.Connect = &connectFrame{} },
		"UnreadAlerts":       func(b *base) { b.UnreadAlerts = 2 },
		"SkipToResults":      func(b *base) { b.SkipToResults = !b.SkipToResults },
		"Content":            func(b *base) { b.Content += "x" },
		"Health.Simulated":   func(b *base) { b.Health.Simulated = !b.Health.Simulated },
		"Health.Gateway":     func(b *base) { b.Health.Gateway = "https://other.example" },
		"Health.AppKey":      func(b *base) { b.Health.AppKey = "99999" },
		"Health.TrackingID":  func(b *base) { b.Health.TrackingID = !b.Health.TrackingID },
		"Health.DS":          func(b *base) { b.Health.DS = !b.Health.DS },
		"Health.OK":          func(b *base) { b.Health.OK = !b.Health.OK },
		"Health.Code":        func(b *base) { b.Health.Code = "other" },
		"Health.Message":     func(b *base) { b.Health.Message = "another problem" },
		"Health.CheckedAt":   func(b *base) { b.Health.CheckedAt = b.Health.CheckedAt.Add(time.Minute) },
		"Health.CallsToday":  func(b *base) { b.Health.CallsToday++ },
		"Health.DailyBudget": func(b *base) { b.Health.DailyBudget++ },
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[base](), reflect.TypeFor[catalog.Health]()} {
		for f := range typ.Fields() {
			name := f.Name
			if typ != reflect.TypeFor[base]() {
				name = "Health." + name
			}
			if _, ok := mutations[name]; !ok && name != "Health" {
				t.Errorf("frame field %s has no mutation in this test", name)
			}
		}
	}
	baselines := map[string]base{
		"healthy": {Title: "phone – Search", Nav: "search", Year: 2026, FetchedAt: testNow, Content: contentSlot,
			Health: catalog.Health{OK: true, Gateway: "https://api-sg.aliexpress.com", AppKey: "12345", CheckedAt: testNow}},
		"failing": {Title: "phone – Search", Nav: "search", Year: 2026, Content: contentSlot, HealthBad: true, Stale: true,
			Health: catalog.Health{Gateway: "https://api-sg.aliexpress.com", Code: catalog.EConfig, Message: "app key not recognised", CheckedAt: testNow}},
	}
	draw := func(b base) string {
		fr, err := e.srv.drawFrame("search", &searchData{base: b})
		if err != nil {
			if strings.Contains(err.Error(), "does not print") {
				return "no slot: " + string(b.Content)
			}
			t.Fatal(err)
		}
		return string(fr.head) + "\x00" + string(fr.tail)
	}
	for bname, b0 := range baselines {
		frame0, key0 := draw(b0), frameKey("search", &b0)
		if key0 == "" {
			t.Fatalf("%s: a visitor's frame has no key", bname)
		}
		for name, mutate := range mutations {
			b := b0
			mutate(&b)
			key := frameKey("search", &b)
			if draw(b) != frame0 && key == key0 {
				t.Errorf("%s: changing %s changes the frame but not its key", bname, name)
			}
		}
	}
}
