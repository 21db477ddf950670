package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// TestEncodedSearchAnswers: a repeated search is answered with the bytes encoded the first time;
// another query, a stale result or another currency never gets those bytes; If-None-Match gives
// 304; a client that takes gzip gets the same JSON compressed.
func TestEncodedSearchAnswers(t *testing.T) {
	e := newEnv(t, Config{})
	first := e.get("/api/search?q=holder")
	again := e.get("/api/search?q=holder")
	if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("ETag") == "" ||
		again.Header().Get("ETag") != first.Header().Get("ETag") {
		t.Fatalf("repeated search = %d, ETag %q vs %q; want the same body and ETag", again.Code, again.Header().Get("ETag"), first.Header().Get("ETag"))
	}
	if e.srv.answers.served() == 0 {
		t.Error("the repeated search was encoded again; want the cached bytes")
	}
	for _, other := range []string{"/api/search?q=stale", "/api/search?q=holder&currency=EUR", "/api/search?q=holder&page_size=5"} {
		hits := e.srv.answers.served()
		if w := e.get(other); w.Code != 200 {
			t.Errorf("GET %s = %d", other, w.Code)
		}
		if e.srv.answers.served() != hits {
			t.Errorf("GET %s was answered with another query's encoded bytes", other)
		}
	}
	if w := e.get("/api/search?q=stale"); w.Body.String() == first.Body.String() {
		t.Error("a stale search got the fresh search's body")
	}
	if w := e.get("/api/search?q=stale"); !bytes.Contains(w.Body.Bytes(), []byte(`"stale":true`)) {
		t.Errorf("a stale search's answer is not marked stale: %.200s", w.Body.String())
	}

	r := httptest.NewRequest(http.MethodGet, "/api/search?q=holder", nil)
	r.Header.Set("If-None-Match", first.Header().Get("ETag"))
	if w := e.do(r); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag = %d, %d bytes; want 304 and no body", w.Code, w.Body.Len())
	}
	r = httptest.NewRequest(http.MethodGet, "/api/search?q=holder", nil)
	r.Header.Set("Accept-Encoding", "br, gzip")
	w := e.do(r)
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q; want gzip", w.Header().Get("Content-Encoding"))
	}
	if v := w.Header().Values("Vary"); !slices.Equal(v, []string{"Accept-Encoding"}) {
		t.Errorf("Vary = %q; want Accept-Encoding once", v)
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != first.Body.String() {
		t.Error("the gzip answer does not decode to the plain one")
	}
}

// TestSearchAnswerKeyFollowsTheData: any figure an answer shows changes its key, so a cached
// encoding is never served for changed data.
func TestSearchAnswerKeyFollowsTheData(t *testing.T) {
	fc := newFakeCatalog(nil)
	res := catalog.SearchResult{Products: slices.Clone(fc.products[:3]), Total: 3, Page: 1, PageSize: 20}
	base := searchAnswerKey("q=x", &res)
	changes := map[string]func(r *catalog.SearchResult){
		"price":    func(r *catalog.SearchResult) { r.Products[1].Price.Amount++ },
		"stale":    func(r *catalog.SearchResult) { r.Stale = true },
		"fetched":  func(r *catalog.SearchResult) { r.Products[0].FetchedAt = r.Products[0].FetchedAt.Add(time.Second) },
		"shipping": func(r *catalog.SearchResult) { r.Products[2].Shipping = nil; r.Products[2].ShippingPending = true },
		"stock":    func(r *catalog.SearchResult) { r.Products[0].Variants[0].Stock = 0 },
		"currency": func(r *catalog.SearchResult) { r.Products[0].Price.Currency = "EUR" },
	}
	for name, change := range changes {
		r := res
		r.Products = slices.Clone(res.Products)
		for i := range r.Products {
			r.Products[i].Variants = slices.Clone(r.Products[i].Variants)
		}
		change(&r)
		if searchAnswerKey("q=x", &r) == base {
			t.Errorf("changing the %s left the answer's key the same", name)
		}
	}
	if searchAnswerKey("q=x", &res) != base {
		t.Error("the same result gave another key")
	}
	if searchAnswerKey("q=y", &res) == base {
		t.Error("another query gave the same key")
	}
	// A result the catalog names is keyed by its name.
	r1, r2 := res, res
	r1.Revision, r2.Revision = 7, 8
	if k := searchAnswerKey("q=x", &r1); k == base || k != searchAnswerKey("q=x", &r1) || k == searchAnswerKey("q=x", &r2) || k == searchAnswerKey("q=y", &r1) {
		t.Error("a named result's key does not follow its revision and query")
	}
}

// TestEncodedProductAnswers: a repeated product read is answered with the bytes encoded the
// first time; another destination or currency, changed data and a stale product never get those
// bytes.
func TestEncodedProductAnswers(t *testing.T) {
	e := newEnv(t, Config{})
	path := fmt.Sprintf("/api/products/%d", idHolder)
	first := e.get(path)
	hits := e.srv.answers.served()
	again := e.get(path)
	if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("ETag") != first.Header().Get("ETag") ||
		e.srv.answers.served() != hits+1 {
		t.Fatalf("repeated product read = %d; want the same bytes and ETag from the encoded cache", again.Code)
	}
	for _, other := range []string{path + "?ship_to=GB", path + "?currency=EUR", fmt.Sprintf("/api/products/%d", idStrip)} {
		hits := e.srv.answers.served()
		if w := e.get(other); w.Code != 200 {
			t.Errorf("GET %s = %d", other, w.Code)
		}
		if e.srv.answers.served() != hits {
			t.Errorf("GET %s was answered with another request's encoded bytes", other)
		}
	}
	// New data (a new price) is encoded anew, never served from the old bytes.
	e.fc.raisePrice(idHolder, 100)
	if w := e.get(path); w.Body.String() == first.Body.String() {
		t.Error("the product's new price was answered with the old bytes")
	}
	if w := e.get(fmt.Sprintf("/api/products/%d", idStale)); !bytes.Contains(w.Body.Bytes(), []byte(`"stale":true`)) {
		t.Errorf("a stale product's answer is not marked stale: %.200s", w.Body.String())
	}
}

// TestEncodedProductAnswersPerAccount: a product read through a user's connected account is
// never served to anyone else, and the server-wide answer never to that user.
func TestEncodedProductAnswersPerAccount(t *testing.T) {
	e, conns := connectEnv(t, Config{OpenResearch: true})
	path := fmt.Sprintf("/api/products/%d", idStrip)
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com")
	if w := ana.get(ana.connect(conns, "").callback()); w.Code != http.StatusSeeOther {
		t.Fatalf("connect = %d", w.Code)
	}
	guest := e.browser("Edge")
	if w := guest.get(path); w.Code != 200 || strings.Contains(w.Body.String(), "As seen by") {
		t.Fatalf("visitor's product = %d; want the server-wide answer", w.Code)
	}
	for range 2 {
		if w := ana.get(path); w.Code != 200 || !strings.Contains(w.Body.String(), "As seen by buyer1") {
			t.Errorf("ana's product = %d; want her account's answer, not the cached server-wide one", w.Code)
		}
	}
	bob := e.browser("Safari")
	bob.signUp("bob@example.com")
	for _, b := range []*visitor{guest, bob} {
		if w := b.get(path); w.Code != 200 || strings.Contains(w.Body.String(), "As seen by") {
			t.Errorf("product after ana's reads = %d; want the server-wide answer, not hers", w.Code)
		}
	}
}

// TestProductAnswerKey: the key follows the data, the query and whose catalog answered, so two
// accounts' reads of the same product at the same moment still have their own bytes.
func TestProductAnswerKey(t *testing.T) {
	fc := newFakeCatalog(nil)
	p := fc.products[0]
	base := productAnswerKey("", "ship_to=US", &p)
	if productAnswerKey("7", "ship_to=US", &p) == base || productAnswerKey("", "ship_to=GB", &p) == base {
		t.Error("another viewer or query gave the same key")
	}
	changed := p
	changed.Variants = slices.Clone(p.Variants)
	changed.Variants[0].Stock++
	if productAnswerKey("", "ship_to=US", &changed) == base {
		t.Error("a variant's new stock left the key the same")
	}
	changed = p
	changed.Stale = true
	if productAnswerKey("", "ship_to=US", &changed) == base {
		t.Error("a stale product has the fresh one's key")
	}
}

// keptCatalog is a catalog that keeps what it built, as sourcing.Service does: it names the
// Revision it would answer with (rev) while kept is true.
type keptCatalog struct {
	*fakeCatalog
	mu   sync.Mutex
	rev  uint64
	kept bool
}

func (k *keptCatalog) state() (uint64, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rev, k.kept
}

func (k *keptCatalog) set(rev uint64, kept bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rev, k.kept = rev, kept
}

func (k *keptCatalog) SearchRevision(string) (uint64, bool)                         { return k.state() }
func (k *keptCatalog) ProductRevision(int64, catalog.ProductOptions) (uint64, bool) { return k.state() }

func (k *keptCatalog) Search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
	res, err := k.fakeCatalog.Search(ctx, f)
	res.Revision, _ = k.state()
	return res, err
}

func (k *keptCatalog) Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	p, err := k.fakeCatalog.Product(ctx, id, o)
	p.Revision, _ = k.state()
	return p, err
}

// newKeptEnv serves the app over a keptCatalog.
func newKeptEnv() (*keptCatalog, *testEnv) {
	kc := &keptCatalog{fakeCatalog: newFakeCatalog(nil)}
	logs := &lockedBuffer{}
	srv := New(Config{Now: func() time.Time { return testNow }, AllowedHosts: []string{"example.com"},
		Logger: slog.New(slog.NewTextHandler(logs, nil))}, kc)
	return kc, &testEnv{fc: kc.fakeCatalog, srv: srv, h: srv.Handler(), logs: logs}
}

// checkKeptRevisions: once the data changes under a new revision, GET path asks the catalog and
// answers anew (first was its answer before); once the catalog names nothing, it is asked.
func checkKeptRevisions(t *testing.T, e *testEnv, kc *keptCatalog, path, first string) {
	t.Helper()
	kc.raisePrice(idHolder, 100)
	kc.set(8, true)
	spent := kc.spent()
	if w := e.get(path); w.Body.String() == first || kc.spent() == spent {
		t.Errorf("GET %s after a new revision was answered from what was kept for the old one", path)
	}
	kc.set(8, false) // a catalog that would look anything up names nothing
	spent = kc.spent()
	if w := e.get(path); w.Code != 200 || kc.spent() == spent {
		t.Errorf("GET %s with nothing kept did not ask the catalog", path)
	}
}

// TestKeptAnswersServedWithoutTheCatalog: when the catalog names the answer it would give, and
// the bytes encoded from that answer are at hand, they are served without asking the catalog for
// the answer; a new revision, an answer the catalog does not name, another query and another
// currency are never served those bytes.
func TestKeptAnswersServedWithoutTheCatalog(t *testing.T) {
	kc, e := newKeptEnv()
	product := fmt.Sprintf("/api/products/%d", idHolder)
	for _, path := range []string{"/api/search?q=holder", product} {
		kc.set(7, true)
		first := e.get(path)
		spent := kc.spent()
		again := e.get(path)
		if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("ETag") != first.Header().Get("ETag") {
			t.Fatalf("GET %s again = %d; want the same bytes and ETag", path, again.Code)
		}
		if kc.spent() != spent {
			t.Errorf("GET %s again asked the catalog; want the bytes kept for its revision", path)
		}
		for _, other := range []string{path + "&currency=EUR", path + "&ship_to=GB"} {
			other = strings.Replace(other, fmt.Sprint(idHolder)+"&", fmt.Sprint(idHolder)+"?", 1)
			spent := kc.spent()
			if w := e.get(other); w.Code != 200 || kc.spent() == spent {
				t.Errorf("GET %s = %d, asked the catalog: %v; want its own answer, not %s's bytes", other, w.Code, kc.spent() != spent, path)
			}
		}
		checkKeptRevisions(t, e, kc, path, first.Body.String())
	}
}

// TestKeptSearchPageServedWithoutTheCatalog: a repeated search page whose result the catalog
// names, and whose content is at hand, is drawn without asking the catalog for the result, and is
// the same page; a new revision, a result the catalog does not name, another currency and a
// request to load shipping all ask the catalog, and a new price is shown.
func TestKeptSearchPageServedWithoutTheCatalog(t *testing.T) {
	kc, e := newKeptEnv()
	const path = "/search?q=holder"
	kc.set(7, true)
	first := e.get(path)
	spent := kc.spent()
	again := e.get(path)
	if first.Code != 200 || again.Code != 200 || again.Body.String() != first.Body.String() {
		t.Fatalf("GET %s again = %d; want the same page", path, again.Code)
	}
	if kc.spent() != spent {
		t.Errorf("GET %s again searched the catalog; want the content kept for its revision", path)
	}
	for _, other := range []string{path + "&currency=EUR", path + "&shipping=load", "/search?q=strip"} {
		spent := kc.spent()
		if w := e.get(other); w.Code != 200 || kc.spent() == spent {
			t.Errorf("GET %s = %d without searching; want its own page, not %s's", other, w.Code, path)
		}
	}
	checkKeptRevisions(t, e, kc, path, first.Body.String())
}
