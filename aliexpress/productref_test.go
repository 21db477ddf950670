package aliexpress

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var productIDCases = []struct {
	in   string
	want int64
}{
	// Canonical, with the query strings the Affiliate API and the site add.
	{"https://www.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o.productlist.main.1.6a8b3c4dXyZ&algo_pvid=5f1f&aem_p4p_detail=2024&skuId=12000016845128367", 1005001234567890},
	{`https://www.aliexpress.com/item/1005001234567890.html?pdp_ext_f={"sku_id":"12000016845128367","ship_from":"CN"}&gatewayAdapt=glo2usa`, 1005001234567890},
	{"https://www.aliexpress.com/item/1005001234567890.html?pdp_ext_f=%7B%22sku_id%22%3A%2212000016845128367%22%7D&_randl_shipto=US", 1005001234567890},
	{"https://www.aliexpress.com/item/1005001234567890.html#nav-review", 1005001234567890},
	{"http://www.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"HTTPS://WWW.ALIEXPRESS.COM/ITEM/1005001234567890.HTML", 1005001234567890},
	{"https://www.aliexpress.com:443/item/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.com./item/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.com/item/1005001234567890.html/", 1005001234567890},
	// Language and country sites.
	{"https://es.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://fr.aliexpress.com/item/1005001234567890.html?gatewayAdapt=glo2fra", 1005001234567890},
	{"https://pt.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://ja.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://he.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.us/item/3256801234567890.html?gatewayAdapt=glo2usa4itemAdapt", 3256801234567890},
	{"https://aliexpress.ru/item/1005001234567890.html?sku_id=12000016845128367", 1005001234567890},
	{"https://m.aliexpress.ru/item/1005001234567890.html", 1005001234567890},
	// Mobile.
	{"https://m.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.com/i/1005001234567890.html", 1005001234567890},
	{"https://m.aliexpress.com/i/1005001234567890.html", 1005001234567890},
	{"https://www.aliexpress.com/i/1005001234567890", 1005001234567890},
	// Older forms and ID generations.
	{"https://www.aliexpress.com/item/Some-Title-Words/32812345678.html", 32812345678},
	{"https://www.aliexpress.com/item/Women-Summer-Dress-2019/4000123456789.html?spm=2114.12010615", 4000123456789},
	{"https://www.aliexpress.com/store/product/Some-Title/1234567_32812345678.html", 32812345678},
	{"https://www.aliexpress.com/item/2251832123456789.html", 2251832123456789},
	// Query-parameter forms.
	{"https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001234567890&skuId=12000016845128367&quantity=1", 1005001234567890},
	{"https://shoppingcart.aliexpress.com/trade/confirm.html?objectId=1005001234567890", 1005001234567890},
	{"https://m.aliexpress.com/s/item.html?productId=1005001234567890", 1005001234567890},
	{"https://www.aliexpress.com/p/detail.html?spm=x&productid=1005001234567890", 1005001234567890},
	{"https://www.aliexpress.com/item/detail.htm?item_id=32812345678", 32812345678},
	// An item link nested in a query parameter, once or twice encoded, or not encoded at all.
	{"https://star.aliexpress.com/share/share.htm?platform=AE&businessType=ProductDetail&redirectUrl=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005001234567890.html%3Fsource%3Dapp", 1005001234567890},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=https%253A%252F%252Fwww.aliexpress.com%252Fitem%252F1005001234567890.html", 1005001234567890},
	{"https://login.aliexpress.com/?return_url=https://m.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"https://s.click.aliexpress.com/deep_link.htm?aff_short_key=abc&dl_target_url=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005001234567890.html", 1005001234567890},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=%2F%2Fwww.aliexpress.com%2Fi%2F1005001234567890.html", 1005001234567890},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=aliexpress.com%2Fitem%2F1005001234567890.html", 1005001234567890},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=https%3A%2F%2Fwww.aliexpress.com%2Fp%2Ftrade%2Fconfirm.html%3FobjectId%3D1005001234567890", 1005001234567890},
	// Without a scheme, with white space around, and bare IDs.
	{"aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"www.aliexpress.com/item/1005001234567890.html?spm=a2g0o", 1005001234567890},
	{"//www.aliexpress.com/item/1005001234567890.html", 1005001234567890},
	{"  \thttps://www.aliexpress.com/item/1005001234567890.html\r\n", 1005001234567890},
	{"1005001234567890", 1005001234567890},
	{" 32812345678\n", 32812345678},
	{"12345678", 12345678},
	{"9223372036854775807", 9223372036854775807},
}

func TestParseProductID(t *testing.T) {
	for _, tt := range productIDCases {
		got, err := ParseProductID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseProductID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

var productIDRejects = []struct {
	in   string
	want error
}{
	// Not products, or not AliExpress.
	{"", ErrNotProductLink},
	{"   ", ErrNotProductLink},
	{"https://www.aliexpress.com/store/1102345678", ErrNotProductLink},
	{"https://www.aliexpress.com/store/1102345678/search?SortType=bestmatch_sort", ErrNotProductLink},
	{"https://www.aliexpress.com/", ErrNotProductLink},
	{"https://www.aliexpress.com/w/wholesale-phone-case.html?catId=0&SearchText=12345678901", ErrNotProductLink},
	{"https://www.aliexpress.com/category/100003109/women-clothing.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/1234567.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/01005001234567890.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/1005001234567890.htm", ErrNotProductLink},
	{"https://www.aliexpress.com/item/1005001234567890x.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/%31%30%30%35%30%30%31%32%33%34.html", ErrNotProductLink},
	{"https://www.aliexpress.com/item/a/b/1005001234567890.html", ErrNotProductLink},
	{"https://www.aliexpress.com/?skuId=1005001234567890&spm=1005001234567890", ErrNotProductLink},
	{"https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001234567890,1005001234567891", ErrNotProductLink},
	{"https://example.com/item/1005001234567890.html", ErrNotProductLink},
	{"https://aliexpress.com.evil.example/item/1005001234567890.html", ErrNotProductLink},
	{"https://evilaliexpress.com/item/1005001234567890.html", ErrNotProductLink},
	{"https://www.aliexpress.com@evil.example/item/1005001234567890.html", ErrNotProductLink},
	{"https://evil.example/?redirectUrl=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005001234567890.html", ErrNotProductLink},
	{"https://www.amazon.com/dp/B08N5WRWNW", ErrNotProductLink},
	{"https://www.aliexpress.com/item/1005001234567890.html\x00", ErrNotProductLink},
	{"ftp://www.aliexpress.com/item/1005001234567890.html", ErrNotProductLink},
	{"javascript:alert(1005001234567890)", ErrNotProductLink},
	{"aliexpress://product/detail?productId=1005001234567890", ErrNotProductLink},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=https%3A%2F%2Fevil.example%2Fitem%2F1005001234567890.html", ErrNotProductLink},
	{"https://star.aliexpress.com/share/share.htm?note=1005001234567890", ErrNotProductLink},
	// Bare numbers that are not IDs.
	{"1234567", ErrNotProductLink},
	{"00000000", ErrNotProductLink},
	{"01005001234567890", ErrNotProductLink},
	{"9223372036854775808", ErrNotProductLink},
	{"123456789012345678901", ErrNotProductLink},
	{"-1005001234567890", ErrNotProductLink},
	{"+1005001234567890", ErrNotProductLink},
	{"1005001234567890.0", ErrNotProductLink},
	{"1005001234567890 1005001234567891", ErrNotProductLink},
	// Short links: only ResolveProductID can read them.
	{"https://s.click.aliexpress.com/e/_DdemoXy", ErrShortLink},
	{"s.click.aliexpress.com/e/_DdemoXy", ErrShortLink},
	{"https://a.aliexpress.com/_EdemoAb", ErrShortLink},
	{"https://click.aliexpress.com/e/_d8demo", ErrShortLink},
	{"https://star.aliexpress.com/share/share.htm?redirectUrl=https%3A%2F%2Fs.click.aliexpress.com%2Fe%2F_DdemoXy", ErrShortLink},
}

func TestParseProductIDRejects(t *testing.T) {
	for _, tt := range productIDRejects {
		got, err := ParseProductID(tt.in)
		if !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("ParseProductID(%q) = %d, %v; want 0, %v", tt.in, got, err, tt.want)
			continue
		}
		if other := map[error]error{ErrNotProductLink: ErrShortLink, ErrShortLink: ErrNotProductLink}[tt.want]; errors.Is(err, other) {
			t.Errorf("ParseProductID(%q) error %v also matches %v", tt.in, err, other)
		}
		if q := strconv.Quote(tt.in); len(tt.in) <= refMaxQuoted && !strings.Contains(err.Error(), q) {
			t.Errorf("ParseProductID(%q) error %q does not name the input", tt.in, err)
		}
	}
}

func TestParseProductIDErrorTruncatesInput(t *testing.T) {
	in := "https://example.com/x" + strings.Repeat("ü", 200)
	_, err := ParseProductID(in)
	msg := err.Error()
	if !strings.Contains(msg, strconv.Quote(in[:99]+"…")) || len(msg) > 200 {
		t.Errorf("ParseProductID(%d-byte input) error = %q; want the first 100 bytes quoted, cut at a rune", len(in), msg)
	}
}

func TestProductURL(t *testing.T) {
	for _, id := range []int64{1005001234567890, 32812345678, 3256801234567890} {
		u := ProductURL(id)
		if want := "https://www.aliexpress.com/item/" + strconv.FormatInt(id, 10) + ".html"; u != want {
			t.Errorf("ProductURL(%d) = %q; want %q", id, u, want)
		}
		if got, err := ParseProductID(u); got != id || err != nil {
			t.Errorf("ParseProductID(ProductURL(%d)) = %d, %v; want %d", id, got, err, id)
		}
	}
}

func TestIsAliExpressHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"aliexpress.com", true},
		{"www.aliexpress.com", true},
		{"WWW.AliExpress.COM", true},
		{"es.aliexpress.com", true},
		{"s.click.aliexpress.com", true},
		{"www.aliexpress.com:443", true},
		{"www.aliexpress.com:", true},
		{"aliexpress.com.", true},
		{"www.aliexpress.us", true},
		{"aliexpress.us", true},
		{"aliexpress.ru", true},
		{"m.aliexpress.ru:8080", true},
		{"", false},
		{".", false},
		{".aliexpress.com", false},
		{"www..aliexpress.com", false},
		{"aliexpress", false},
		{"aliexpress.com.evil.example", false},
		{"aliexpress.com.evil.example:443", false},
		{"evilaliexpress.com", false},
		{"evil-aliexpress.com", false},
		{"aliexpress.co", false},
		{"aliexpress.es", false},
		{"aliexpress.com:https", false},
		{"www.aliexpress.com:443:443", false},
		{"evil.example/.aliexpress.com", false},
		{"evil.example?.aliexpress.com", false},
		{"evil example.aliexpress.com", false},
		{"user@www.aliexpress.com", false},
		{"[::1]:443", false},
		{"www.aliexpreſs.com", false},
		{"www.аliexpress.com", false}, // Cyrillic а
	}
	for _, tt := range tests {
		if got := IsAliExpressHost(tt.host); got != tt.want {
			t.Errorf("IsAliExpressHost(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
}

// refSites is an http.RoundTripper that serves each host from an in-memory handler and records every
// request, so ResolveProductID runs against a scripted web without a network.
type refSites struct {
	mu    sync.Mutex
	hosts map[string]http.HandlerFunc
	seen  []string // "host/path" of every request, in order
	urls  []string // the full URL of every request, in order
}

func (s *refSites) requestedURLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.urls...)
}

func (s *refSites) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.seen = append(s.seen, req.URL.Host+req.URL.Path)
	s.urls = append(s.urls, req.URL.String())
	h := s.hosts[req.URL.Host]
	s.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("no route to host %q", req.URL.Host)
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (s *refSites) requested(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.seen {
		if strings.HasPrefix(r, host+"/") {
			return true
		}
	}
	return false
}

func (s *refSites) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

func refRedirect(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Location", to)
		w.WriteHeader(http.StatusFound)
	}
}

func refPage(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

const refShareURL = "https://star.aliexpress.com/share/share.htm?platform=AE&redirectUrl=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005001234567890.html%3FsourceType%3D1"

// newRefSites scripts the short-link web the resolver tests walk through.
func newRefSites() *refSites {
	s := &refSites{}
	s.hosts = map[string]http.HandlerFunc{
		"s.click.aliexpress.com": func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/e/_share": // affiliate link → share page that names the item in redirectUrl
				refRedirect(refShareURL)(w, r)
			case "/e/_chain": // → app share link → relative redirect on the share host → item
				refRedirect("https://a.aliexpress.com/_chain")(w, r)
			case "/e/_loop":
				refRedirect("https://a.aliexpress.com/_loop")(w, r)
			case "/e/_evil":
				refRedirect("https://evil.example/landing?to=aliexpress")(w, r)
			case "/e/_lookalike":
				refRedirect("https://www.aliexpress.com.evil.example/item/x.html")(w, r)
			case "/e/_ftp":
				refRedirect("ftp://ftp.aliexpress.com/pub/")(w, r)
			case "/e/_offsite_item":
				refRedirect("https://evil.example/item/1005001234567890.html")(w, r)
			case "/e/_meta":
				refRedirect("https://a.aliexpress.com/_meta")(w, r)
			case "/e/_home":
				refRedirect("https://www.aliexpress.com/")(w, r)
			case "/e/_http":
				refRedirect("http://star.aliexpress.com/plain")(w, r)
			default:
				http.NotFound(w, r)
			}
		},
		"a.aliexpress.com": func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/_chain":
				refRedirect("https://star.aliexpress.com/share/hop")(w, r)
			case "/_loop":
				refRedirect("https://s.click.aliexpress.com/e/_loop")(w, r)
			case "/_meta":
				refPage(`<!doctype html><html><head>
<META CONTENT="0; URL='https://m.aliexpress.com/item/1005009876543210.html?a=1&amp;b=2'" HTTP-EQUIV="Refresh">
</head><body>Redirecting…</body></html>`)(w, r)
			case "/_script":
				refPage(`<html><body><script>var u = 1; window.location.href = "https:\/\/www.aliexpress.us\/item\/3256801234567890.html?x=1\u0026y=2";</script></body></html>`)(w, r)
			case "/_replace":
				refPage(`<script>location.replace('/_chain')</script>`)(w, r)
			default:
				http.NotFound(w, r)
			}
		},
		"star.aliexpress.com": func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/share/hop":
				refRedirect("/share/share.htm?redirectUrl=https%3A%2F%2Fwww.aliexpress.com%2Fi%2F1005005555555555.html")(w, r)
			case "/plain":
				refRedirect("http://www.aliexpress.com/item/1005004444444444.html")(w, r)
			default:
				http.NotFound(w, r)
			}
		},
		"www.aliexpress.com": refPage(`<html><head><title>AliExpress</title></head><body>Welcome</body></html>`),
		"evil.example": func(w http.ResponseWriter, r *http.Request) {
			refRedirect(ProductURL(1005001234567890))(w, r)
		},
	}
	return s
}

func TestResolveProductID(t *testing.T) {
	tests := []struct {
		in       string
		want     int64
		requests int // how many requests resolving takes
	}{
		{"https://s.click.aliexpress.com/e/_share", 1005001234567890, 1},
		{"  s.click.aliexpress.com/e/_share ", 1005001234567890, 1},
		{"https://s.click.aliexpress.com/e/_chain", 1005005555555555, 3},
		{"https://s.click.aliexpress.com/e/_meta", 1005009876543210, 2},
		{"https://a.aliexpress.com/_script", 3256801234567890, 1},
		{"https://a.aliexpress.com/_replace", 1005005555555555, 3},
		{"https://s.click.aliexpress.com/e/_http", 1005004444444444, 2},
		{"https://star.aliexpress.com/share/share.htm?redirectUrl=https%3A%2F%2Fs.click.aliexpress.com%2Fe%2F_share", 1005001234567890, 1},
		// Not short links: answered offline.
		{"https://www.aliexpress.com/item/1005001234567890.html", 1005001234567890, 0},
		{"1005001234567890", 1005001234567890, 0},
	}
	for _, tt := range tests {
		sites := newRefSites()
		got, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ResolveProductID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if n := sites.count(); n != tt.requests {
			t.Errorf("ResolveProductID(%q) sent %d requests %q; want %d", tt.in, n, sites.seen, tt.requests)
		}
		if sites.requested("www.aliexpress.com") || sites.requested("m.aliexpress.com") {
			t.Errorf("ResolveProductID(%q) fetched the product page: %q", tt.in, sites.seen)
		}
	}
}

func TestResolveProductIDFailures(t *testing.T) {
	tests := []struct {
		in      string
		want    error
		mention string // the error message names this
	}{
		{"https://s.click.aliexpress.com/e/_loop", ErrTooManyRedirects, "_loop"},
		{"https://s.click.aliexpress.com/e/_evil", ErrNotProductLink, `"evil.example"`},
		{"https://s.click.aliexpress.com/e/_offsite_item", ErrNotProductLink, `"evil.example"`},
		{"https://s.click.aliexpress.com/e/_lookalike", ErrNotProductLink, `"www.aliexpress.com.evil.example"`},
		{"https://s.click.aliexpress.com/e/_ftp", ErrNotProductLink, `"ftp"`},
		{"https://s.click.aliexpress.com/e/_home", ErrNotProductLink, "200"},
		{"https://s.click.aliexpress.com/e/_gone", ErrNotProductLink, "404"},
		{"https://www.aliexpress.com/store/1102345678", ErrNotProductLink, "store"},
		{"https://evil.example/item/1005001234567890.html", ErrNotProductLink, "evil.example"},
	}
	for _, tt := range tests {
		sites := newRefSites()
		got, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, tt.in)
		if got != 0 || !errors.Is(err, tt.want) {
			t.Errorf("ResolveProductID(%q) = %d, %v; want 0, %v", tt.in, got, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ResolveProductID(%q) error %q; want it to name the input and %s", tt.in, err, tt.mention)
		}
		if sites.requested("evil.example") || sites.requested("www.aliexpress.com.evil.example") {
			t.Errorf("ResolveProductID(%q) sent a request off AliExpress: %q", tt.in, sites.seen)
		}
	}
}

func TestResolveProductIDRedirectLimit(t *testing.T) {
	sites := newRefSites()
	_, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, "https://s.click.aliexpress.com/e/_loop")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("ResolveProductID(loop) error = %v; want %v", err, ErrTooManyRedirects)
	}
	if n := sites.count(); n != refMaxRedirects+1 {
		t.Errorf("ResolveProductID(loop) sent %d requests; want %d", n, refMaxRedirects+1)
	}
}

func TestResolveProductIDLeavesClientAlone(t *testing.T) {
	sites := newRefSites()
	hc := &http.Client{Transport: sites}
	if _, err := ResolveProductID(context.Background(), hc, "https://s.click.aliexpress.com/e/_chain"); err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil || hc.Transport != sites {
		t.Errorf("ResolveProductID changed the caller's client: %+v", hc)
	}
}

func TestResolveProductIDContext(t *testing.T) {
	sites := newRefSites()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first hop cancels the context, as a caller giving up mid-resolution would.
	sites.hosts["s.click.aliexpress.com"] = func(w http.ResponseWriter, r *http.Request) {
		cancel()
		refRedirect("https://a.aliexpress.com/_chain")(w, r)
	}
	got, err := ResolveProductID(ctx, &http.Client{Transport: sites}, "https://s.click.aliexpress.com/e/_chain")
	if got != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("ResolveProductID(cancelled) = %d, %v; want 0, %v", got, err, context.Canceled)
	}
	if sites.requested("a.aliexpress.com") {
		t.Errorf("ResolveProductID(cancelled) kept going after cancellation: %q", sites.seen)
	}

	sites = newRefSites()
	_, err = ResolveProductID(ctx, &http.Client{Transport: sites}, "https://s.click.aliexpress.com/e/_share")
	if !errors.Is(err, context.Canceled) || sites.count() != 0 {
		t.Errorf("ResolveProductID(already cancelled) = %v after %d requests; want %v after none", err, sites.count(), context.Canceled)
	}
}

func TestResolveProductIDPageLimit(t *testing.T) {
	sites := newRefSites()
	// A meta refresh beyond the first 64 KiB is not read.
	sites.hosts["a.aliexpress.com"] = refPage(strings.Repeat(" ", refMaxPage) +
		`<meta http-equiv="refresh" content="0;url=https://www.aliexpress.com/item/1005001234567890.html">`)
	_, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, "https://a.aliexpress.com/_big")
	if !errors.Is(err, ErrNotProductLink) {
		t.Errorf("ResolveProductID(page with late refresh) error = %v; want %v", err, ErrNotProductLink)
	}
}

func TestRefPageTarget(t *testing.T) {
	tests := []struct {
		page, want string
	}{
		{`<meta http-equiv="refresh" content="0;url=https://www.aliexpress.com/item/1005001234567890.html">`, "https://www.aliexpress.com/item/1005001234567890.html"},
		{`<meta http-equiv=refresh content='3; URL="/i/1005001234567890.html"'>`, "/i/1005001234567890.html"},
		{`<meta content="0,https://a.aliexpress.com/x?a=1&amp;b=2" http-equiv="refresh" />`, "https://a.aliexpress.com/x?a=1&b=2"},
		{`<meta name="description" content="0;url=https://www.aliexpress.com/item/1.html">`, ""},
		{`<script>document.location = 'https://star.aliexpress.com/x';</script>`, "https://star.aliexpress.com/x"},
		{`<script>window.location.assign("https:\/\/a.aliexpress.com\/y")</script>`, "https://a.aliexpress.com/y"},
		{`<p>No redirect here.</p>`, ""},
	}
	for _, tt := range tests {
		if got := refPageTarget([]byte(tt.page)); got != tt.want {
			t.Errorf("refPageTarget(%q) = %q; want %q", tt.page, got, tt.want)
		}
	}
}

var refDigitRun = regexp.MustCompile(`[0-9]+`)

func FuzzParseProductID(f *testing.F) {
	for _, tt := range productIDCases {
		f.Add(tt.in)
	}
	for _, tt := range productIDRejects {
		f.Add(tt.in)
	}
	for _, s := range []string{
		refShareURL,
		"https://www.aliexpress.com/item/" + url.QueryEscape(refShareURL) + "/1005001234567890.html",
		"https://star.aliexpress.com/?a=" + strings.Repeat("https%253A%252F%252Fwww.aliexpress.com%252F%253Fb%253D", 6) + "1005001234567890",
		"https://www.aliexpress.com/i/%",
		"https://www.aliexpress.com/?redirectUrl=%zz&productId=%31",
		"https://[::1]/item/1005001234567890.html",
		"https://www.aliexpress.com:99999999999999999999/item/1005001234567890.html",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := ParseProductID(in)
		if err != nil {
			if id != 0 {
				t.Errorf("ParseProductID(%q) = %d, %v; want 0 with an error", in, id, err)
			}
			if !errors.Is(err, ErrNotProductLink) && !errors.Is(err, ErrShortLink) {
				t.Errorf("ParseProductID(%q) error = %v; want %v or %v", in, err, ErrNotProductLink, ErrShortLink)
			}
			if len(err.Error()) > 10*refMaxQuoted {
				t.Errorf("ParseProductID(%q) error is %d bytes long", in, len(err.Error()))
			}
			return
		}
		if id <= 0 {
			t.Fatalf("ParseProductID(%q) = %d; want a positive ID", in, id)
		}
		want := strconv.FormatInt(id, 10)
		found := false
		for _, run := range refDigitRun.FindAllString(in, -1) {
			found = found || run == want
		}
		if !found {
			t.Errorf("ParseProductID(%q) = %d; want an ID written as a digit run in the input", in, id)
		}
		if again, err := ParseProductID(ProductURL(id)); again != id || err != nil {
			t.Errorf("ParseProductID(ProductURL(%d)) = %d, %v", id, again, err)
		}
	})
}

// TestResolveOnlyHTTPSOnTheStandardPort: a short link (or a redirect) to another port of an
// AliExpress name is refused before any request; an http link is asked for over https.
func TestResolveOnlyHTTPSOnTheStandardPort(t *testing.T) {
	sites := newRefSites()
	for _, in := range []string{"https://s.click.aliexpress.com:6379/e/_share", "http://s.click.aliexpress.com:8443/e/_share"} {
		before := sites.count()
		if _, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, in); !errors.Is(err, ErrNotProductLink) || !strings.Contains(err.Error(), "port") {
			t.Errorf("ResolveProductID(%s) = %v; want a refusal naming the port", in, err)
		}
		if sites.count() != before {
			t.Errorf("ResolveProductID(%s) sent a request", in)
		}
	}
	id, err := ResolveProductID(context.Background(), &http.Client{Transport: sites}, "http://s.click.aliexpress.com/e/_share")
	if err != nil || id != 1005001234567890 {
		t.Errorf("ResolveProductID(http short link) = %d, %v; want it followed over https", id, err)
	}
	for _, u := range sites.requestedURLs() {
		if !strings.HasPrefix(u, "https://") || strings.Contains(strings.TrimPrefix(u, "https://"), ":") {
			t.Errorf("a request went to %s; want https on the standard port only", u)
		}
	}
}
