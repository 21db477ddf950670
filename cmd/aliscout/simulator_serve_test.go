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
	if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "http://127.0.0.1") || strings.Contains(csp, "http://[::1]") {
		t.Errorf("the CSP names a loopback origin for pictures: %s", csp)
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
