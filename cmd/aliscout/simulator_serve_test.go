package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// TestServeProxiesSimulatorPictures checks that `aliscout serve` on the built-in simulator shows
// the simulator's pictures through its own origin, so that a browser on another machine sees them,
// and that the Content-Security-Policy names no loopback origin for them.
func TestServeProxiesSimulatorPictures(t *testing.T) {
	base, stop := startServe(t, nil)
	t.Cleanup(func() { stop() })
	code, h, body := get(t, base+"/search?q=phone+case")
	if code != 200 {
		t.Fatalf("GET /search = %d", code)
	}
	if strings.Contains(string(body), "/sandbox/img/") {
		t.Error("the search page links the simulator's pictures directly; want them through /img/")
	}
	// Pictures come through /img/, so img-src names no loopback origin. (form-action names the
	// gateway's origin on purpose: the connect flow's redirect goes there.)
	csp := h.Get("Content-Security-Policy")
	var imgSrc string
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "img-src ") {
			imgSrc = d
		}
	}
	if imgSrc == "" {
		t.Errorf("the CSP has no img-src: %s", csp)
	}
	if strings.Contains(imgSrc, "http://127.0.0.1") || strings.Contains(imgSrc, "http://[::1]") || strings.Contains(imgSrc, "localhost") {
		t.Errorf("the CSP names a loopback origin for pictures: %s", imgSrc)
	}
	m := regexp.MustCompile(`<img src="(/img/[^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("the search page shows no picture through /img/")
	}
	code, h, pic := get(t, base+string(m[1]))
	if code != 200 || h.Get("Content-Type") != "image/png" || len(pic) == 0 || !strings.Contains(h.Get("Cache-Control"), "max-age") {
		t.Errorf("GET %s = %d %s (%d bytes, Cache-Control %q); want a cacheable PNG", m[1], code, h.Get("Content-Type"), len(pic), h.Get("Cache-Control"))
	}
	// Only pictures: the simulator's other pages stay out of reach through the proxy.
	for _, p := range []string{"/img/../sync?method=x", "/img/%2e%2e/%2e%2e/oauth/authorize", "/img/x.png"} {
		if code, _, _ := get(t, base+p); code == 200 {
			t.Errorf("GET %s = 200; want nothing but the simulator's pictures", p)
		}
	}
}

// TestServeResolvesItsOwnShortLinks checks that on the built-in simulator the affiliate links the
// app shows (the simulator's s.click.aliexpress.com short links) work where links are pasted: the
// import and the compare page find their product.
func TestServeResolvesItsOwnShortLinks(t *testing.T) {
	base, stop := startServe(t, nil)
	t.Cleanup(func() { stop() })
	code, _, body := get(t, base+"/api/search?q=phone+case")
	if code != 200 {
		t.Fatalf("GET /api/search = %d %s", code, body)
	}
	var res struct {
		Products []struct {
			ID           int64  `json:"id"`
			AffiliateURL string `json:"affiliate_url"`
		} `json:"products"`
	}
	if err := json.Unmarshal(body, &res); err != nil || len(res.Products) == 0 {
		t.Fatalf("search answer %s: %v", body, err)
	}
	p := res.Products[0]
	if !strings.HasPrefix(p.AffiliateURL, "https://s.click.aliexpress.com/e/") {
		t.Fatalf("affiliate URL = %q; want the simulator's short link", p.AffiliateURL)
	}
	id := strconv.FormatInt(p.ID, 10)

	resp, err := http.PostForm(base+"/import", url.Values{"urls": {p.AffiliateURL}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="ids" value="`+id+`"`) {
		t.Errorf("import of the app's own short link %s = %d; want product %s found", p.AffiliateURL, resp.StatusCode, id)
	}

	code, _, page = get(t, base+"/compare?"+url.Values{"ids": {p.AffiliateURL}}.Encode())
	if code != 200 || !strings.Contains(string(page), `data-compare-ids="`+id+`"`) {
		t.Errorf("compare of the app's own short link = %d; want product %s", code, id)
	}
}

// TestServeFirstSearchPageCostsTwoCalls checks that a first search page with no shipping filter
// costs at most two AliExpress calls (the search, and the categories of its form), and that the
// shipping of its cards then comes in one request from the page.
func TestServeFirstSearchPageCostsTwoCalls(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(sb.Close)
	base, stop := startServe(t, map[string]string{"ALIEXPRESS_GATEWAY": sb.URL})
	t.Cleanup(func() { stop() })
	before := len(sb.Calls())
	code, _, page := get(t, base+"/search?q=phone+case")
	if code != 200 {
		t.Fatalf("GET /search = %d", code)
	}
	if n := len(sb.Calls()) - before; n > 2 {
		t.Errorf("a first search page cost %d AliExpress calls; want at most 2 (%v)", n, sb.Calls()[before:])
	}
	ids := regexp.MustCompile(`<article class="card product" data-product="(\d+)"[^>]*>`).FindAllSubmatch(page, -1)
	if len(ids) == 0 || !strings.Contains(string(page), `data-shipping="pending"`) {
		t.Fatal("the search page shows no product waiting for its shipping")
	}
	var list []string
	for _, m := range ids {
		list = append(list, string(m[1]))
	}
	code, _, body := get(t, base+"/api/shipping?ship_to=US&ids="+strings.Join(list, ","))
	var res struct {
		Quotes []struct {
			ProductID int64           `json:"product_id"`
			Cheapest  json.RawMessage `json:"cheapest"`
			Error     json.RawMessage `json:"error"`
		} `json:"quotes"`
	}
	if err := json.Unmarshal(body, &res); code != 200 || err != nil || len(res.Quotes) != len(list) {
		t.Fatalf("GET /api/shipping = %d %s; want a quote for each of %d products", code, body, len(list))
	}
	for _, q := range res.Quotes {
		if len(q.Error) != 0 && string(q.Error) != "null" {
			t.Errorf("product %d shipping error %s", q.ProductID, q.Error)
		}
	}
	// The page drawn again takes the shipping from the cache: nothing waits, nothing is spent.
	before = len(sb.Calls())
	if _, _, page = get(t, base+"/search?q=phone+case"); strings.Contains(string(page), `data-shipping="pending"`) {
		t.Error("after the shipping was fetched, cards still wait for it")
	}
	if n := len(sb.Calls()) - before; n != 0 {
		t.Errorf("the search page again cost %d calls; want 0", n)
	}
}
