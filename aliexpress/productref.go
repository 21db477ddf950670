package aliexpress

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNotProductLink is returned (wrapped, with the offending input quoted) when a string is neither a
// product ID nor a link to an AliExpress product page: another host, a store page, a search page, or a
// short link that leads nowhere a product can be read from.
var ErrNotProductLink = errors.New("not an AliExpress product link")

// ErrShortLink is returned by ParseProductID for short links (s.click.aliexpress.com/e/…,
// a.aliexpress.com/_…) whose product is known only to the platform's redirect service.
// ResolveProductID follows them over HTTP.
var ErrShortLink = errors.New("short link must be resolved over HTTP")

// ErrTooManyRedirects is returned by ResolveProductID when a short link has not led to a product
// page after 10 redirects, which in practice means a redirect loop.
var ErrTooManyRedirects = errors.New("too many redirects")

const (
	// refMaxRedirects is how many redirects ResolveProductID follows, the same as net/http.
	refMaxRedirects = 10
	// refMaxPage bounds how much of a 200 page is read looking for a meta refresh or a script redirect.
	refMaxPage = 64 << 10
	// refMaxDrain bounds how much of any other body is read so the connection can be reused.
	refMaxDrain = 4 << 10
	// refMaxNesting bounds how deep item URLs nested in query parameters are followed.
	refMaxNesting = 4
	// refMaxQuoted bounds how much of the caller's input an error message repeats.
	refMaxQuoted = 100
)

// refHosts are the registrable domains of the AliExpress sites. aliexpress.ru is the Russian joint
// venture: its product IDs may not exist on the other sites, but they are product IDs all the same.
func refHosts() [3]string { return [...]string{"aliexpress.com", "aliexpress.us", "aliexpress.ru"} }

// refShortHost reports whether host serves redirects only: affiliate links (s.click, and the older
// click) and app shares (a).
func refShortHost(host string) bool {
	switch host {
	case "s.click.aliexpress.com", "click.aliexpress.com", "a.aliexpress.com":
		return true
	}
	return false
}

// refIDParam reports whether a query parameter (lower-cased) carries a product ID: productId on
// product and share pages, objectId on the checkout page (trade/confirm.html), item_id on older pages.
func refIDParam(name string) bool {
	return name == "productid" || name == "objectid" || name == "item_id"
}

// ProductURL returns the canonical product page URL for id, https://www.aliexpress.com/item/<id>.html,
// the form the Affiliate API itself returns as product_detail_url. It does not check that id is positive.
func ProductURL(id int64) string {
	return "https://www.aliexpress.com/item/" + strconv.FormatInt(id, 10) + ".html"
}

// IsAliExpressHost reports whether host (as in url.URL.Host: a name with an optional port) is
// aliexpress.com, aliexpress.us, aliexpress.ru or a subdomain of one of them. The comparison ignores
// ASCII case and a trailing dot and accepts only plain host names, so look-alikes such as
// aliexpress.com.evil.example, evilaliexpress.com or names with non-ASCII letters are rejected.
func IsAliExpressHost(host string) bool {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if port := h[i+1:]; port != "" && !refDigits(port) {
			return false
		}
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	for _, d := range refHosts() {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// ParseProductID returns the product ID that s refers to, without network access. s may be a bare ID
// or a link to a product page on any AliExpress site (www., m., language subdomains such as es. or
// fr., aliexpress.us, aliexpress.ru), with or without a scheme, with any query and surrounding white
// space. Recognised forms:
//
//	https://www.aliexpress.com/item/1005001234567890.html?spm=…&skuId=…
//	https://www.aliexpress.com/item/Some-Title-Words/32812345678.html
//	https://www.aliexpress.com/i/1005001234567890.html (also without .html)
//	https://www.aliexpress.com/store/product/Some-Title/1234567_32812345678.html
//	https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001234567890 (also productId=, item_id=)
//	https://star.aliexpress.com/share/share.htm?redirectUrl=<an item link, URL-encoded>
//	1005001234567890
//
// An ID is 8 to 20 decimal digits without a leading zero that fits an int64 (the platform's IDs are
// below 2^53 today, but nothing here depends on that). Digits are taken only as written: a
// percent-encoded digit is never part of an ID.
//
// Store pages and links to other hosts are not products: the error wraps ErrNotProductLink. A short
// link cannot be read offline: the error wraps ErrShortLink and ResolveProductID can follow it.
func ParseProductID(s string) (int64, error) {
	id, short, reason := refParse(s, 0)
	switch {
	case id > 0:
		return id, nil
	case short != "":
		return 0, fmt.Errorf("aliexpress: %q: %w (use ResolveProductID)", refQuote(s), ErrShortLink)
	default:
		return 0, refNotProduct(s, reason)
	}
}

// ResolveProductID is like ParseProductID, but it follows a short link over HTTP to find the product.
// Only GET requests are sent, only over https on the standard port (an http link is asked for over
// https; any other port is refused) and only to AliExpress hosts (IsAliExpressHost):
// a redirect anywhere else ends the search with an error naming that host, before any request is
// sent to it. Every URL on the way is read with ParseProductID, so the product is found as soon as a
// redirect names it, even inside a parameter such as redirectUrl=, and the product page itself is
// never fetched. A page that answers 200 is read (at most 64 KiB) for a meta refresh or a
// window.location assignment, which some share pages use instead of a redirect; a page with neither
// gives ErrNotProductLink. After 10 redirects the error wraps ErrTooManyRedirects.
//
// hc is used for transport, timeouts and cookies but is not modified; nil means http.DefaultClient.
// ctx bounds the whole resolution. Input that is not a short link is answered without network access.
func ResolveProductID(ctx context.Context, hc *http.Client, s string) (int64, error) {
	id, short, reason := refParse(s, 0)
	if id > 0 {
		return id, nil
	}
	if short == "" {
		return 0, refNotProduct(s, reason)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	cur, err := url.Parse(short)
	if err != nil { // refParse has already parsed it; kept for safety
		return 0, refNotProduct(s, "malformed URL")
	}
	for redirects := 0; ; redirects++ {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("aliexpress: resolve %q: %w", refQuote(s), err)
		}
		if cur, err = refHTTPS(cur); err != nil {
			return 0, fmt.Errorf("aliexpress: resolve %q: %w", refQuote(s), err)
		}
		next, err := refFollow(ctx, &c, cur)
		if err != nil {
			return 0, fmt.Errorf("aliexpress: resolve %q: %w", refQuote(s), err)
		}
		if id, _, _ := refParse(next.String(), 0); id > 0 {
			return id, nil
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			return 0, fmt.Errorf("aliexpress: resolve %q: redirect to a %q URL: %w", refQuote(s), next.Scheme, ErrNotProductLink)
		}
		if !IsAliExpressHost(next.Host) {
			return 0, fmt.Errorf("aliexpress: resolve %q: redirect to host %q outside AliExpress: %w",
				refQuote(s), refQuote(next.Host), ErrNotProductLink)
		}
		if redirects == refMaxRedirects {
			return 0, fmt.Errorf("aliexpress: resolve %q: %w (%d)", refQuote(s), ErrTooManyRedirects, refMaxRedirects)
		}
		cur = next
	}
}

// refHTTPS returns u as the only kind of URL a short link is followed to: https on the standard
// port (an http link is asked for over https), so that a link cannot make aliscout talk to another
// port of an AliExpress name, or in clear text.
func refHTTPS(u *url.URL) (*url.URL, error) {
	if p := u.Port(); p != "" && p != "443" && !(p == "80" && u.Scheme == "http") {
		return nil, fmt.Errorf("port %s: short links are followed only over https on the standard port: %w", p, ErrNotProductLink)
	}
	v := *u
	v.Scheme, v.Host = "https", v.Hostname()
	return &v, nil
}

// refFollow sends one GET for u and returns where the answer points: the Location of a redirect, or
// the target of a meta refresh or script redirect on a 200 page.
func refFollow(ctx context.Context, c *http.Client, u *url.URL) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, refMaxDrain))
		resp.Body.Close()
	}()
	where := refQuote(u.Redacted())
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && code != http.StatusNotModified:
		next, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("%q answered %d without a usable Location: %w", where, code, err)
		}
		return next, nil
	case code >= 200 && code < 300:
		page, err := io.ReadAll(io.LimitReader(resp.Body, refMaxPage))
		if err != nil {
			return nil, fmt.Errorf("read %q: %w", where, err)
		}
		target := refPageTarget(page)
		if target == "" {
			return nil, fmt.Errorf("%q answered %d without a product URL: %w", where, code, ErrNotProductLink)
		}
		next, err := u.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("%q redirects to a malformed URL: %w", where, ErrNotProductLink)
		}
		return next, nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return nil, fmt.Errorf("%q answered %d: %w", where, code, ErrNotProductLink)
	default:
		return nil, fmt.Errorf("%q answered %d", where, code)
	}
}

var (
	refMetaTag     = regexp.MustCompile(`(?is)<meta\b[^>]*>`)
	refRefreshAttr = regexp.MustCompile(`(?is)\bhttp-equiv\s*=\s*["']?\s*refresh\b`)
	refContentAttr = regexp.MustCompile(`(?is)\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	refRefreshURL  = regexp.MustCompile(`(?is)^\s*\d*(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?["']?([^"'\s]+)`)
	refScriptLoc   = regexp.MustCompile(`(?is)\blocation(?:\.href)?\s*=\s*["']([^"'\s]+)["']|\blocation\.(?:replace|assign)\(\s*["']([^"'\s]+)["']`)
)

// refPageTarget returns the URL a short-link landing page sends the browser to, or "".
func refPageTarget(page []byte) string {
	for _, tag := range refMetaTag.FindAll(page, -1) {
		if !refRefreshAttr.Match(tag) {
			continue
		}
		m := refContentAttr.FindSubmatch(tag)
		if m == nil {
			continue
		}
		content := html.UnescapeString(string(m[1]) + string(m[2]) + string(m[3]))
		if r := refRefreshURL.FindStringSubmatch(content); r != nil {
			return r[1]
		}
	}
	if m := refScriptLoc.FindSubmatch(page); m != nil {
		target := string(m[1]) + string(m[2])
		return strings.NewReplacer(`\/`, `/`, `\u0026`, `&`, `\x26`, `&`).Replace(target)
	}
	return ""
}

// refParse finds the product ID in s. If there is none it returns the first short link it met (as an
// absolute URL) or else why s is not a product link. depth counts URLs nested in query parameters.
func refParse(s string, depth int) (id int64, short, reason string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "", "empty"
	}
	if refDigits(s) {
		if id, ok := refID(s); ok {
			return id, "", ""
		}
		return 0, "", "a product ID has 8 to 20 digits, no leading zero, and fits in an int64"
	}
	abs, ok := refAbsolute(s)
	if !ok {
		return 0, "", "not an http or https URL"
	}
	u, err := url.Parse(abs)
	if err != nil {
		return 0, "", "malformed URL"
	}
	if !IsAliExpressHost(u.Host) {
		return 0, "", fmt.Sprintf("host %q is not AliExpress", refQuote(u.Host))
	}
	if id, ok := refPathID(refRawPath(abs)); ok {
		return id, "", ""
	}
	pairs := refQuery(u.RawQuery)
	for _, p := range pairs {
		if refIDParam(strings.ToLower(refUnescape(p[0]))) {
			if id, ok := refID(p[1]); ok {
				return id, "", ""
			}
		}
	}
	if refShortHost(strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")) {
		short = abs
	}
	if depth < refMaxNesting {
		for _, p := range pairs {
			v := refNestedURL(p[1])
			if v == "" {
				continue
			}
			id, nshort, _ := refParse(v, depth+1)
			if id > 0 {
				return id, "", ""
			}
			if short == "" {
				short = nshort
			}
		}
	}
	if short != "" {
		return 0, short, ""
	}
	return 0, "", "no product ID in the URL"
}

// refAbsolute returns s as an absolute http or https URL, adding https: to scheme-less input.
func refAbsolute(s string) (string, bool) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		return s, true
	case strings.HasPrefix(s, "//"):
		return "https:" + s, true
	case strings.Contains(s, "://"):
		return "", false
	default:
		return "https://" + s, true
	}
}

// refRawPath returns the path of the absolute URL abs as written, still percent-encoded, split the
// way url.Parse splits it (fragment, then query, then authority).
func refRawPath(abs string) string {
	rest, _, _ := strings.Cut(abs, "#")
	rest, _, _ = strings.Cut(rest, "?")
	_, rest, _ = strings.Cut(rest, "//")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return ""
}

// refPathID reads a product ID from a raw URL path: …/item/<id>.html, …/item/<slug>/<id>.html,
// …/i/<id>[.html] and …/store/product/<slug>/<store id>_<id>.html.
func refPathID(path string) (int64, bool) {
	var segs []string
	for seg := range strings.SplitSeq(path, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	n := len(segs)
	if n < 2 {
		return 0, false
	}
	last := segs[n-1]
	stem, isHTML := refCutSuffixFold(last, ".html")
	parent := strings.ToLower(segs[n-2])
	switch {
	case parent == "i":
		return refID(stem)
	case !isHTML:
		return 0, false
	case parent == "item", n >= 3 && strings.EqualFold(segs[n-3], "item"):
		return refID(stem)
	case n >= 4 && strings.EqualFold(segs[n-4], "store") && strings.EqualFold(segs[n-3], "product"):
		store, id, ok := strings.Cut(stem, "_")
		if !ok || !refDigits(store) {
			return 0, false
		}
		return refID(id)
	}
	return 0, false
}

// refCutSuffixFold is strings.CutSuffix ignoring ASCII case.
func refCutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// refQuery splits a raw query into key/value pairs in order, leaving them percent-encoded.
func refQuery(raw string) [][2]string {
	var pairs [][2]string
	for kv := range strings.SplitSeq(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs
}

// refNestedURL returns the URL carried by a raw query value, decoded (twice over if it was encoded
// twice), or "" if the value does not hold one.
func refNestedURL(raw string) string {
	v := refUnescape(raw)
	for range 3 {
		lower := strings.ToLower(v)
		if !strings.HasPrefix(lower, "http%3a") && !strings.HasPrefix(lower, "https%3a") && !strings.HasPrefix(lower, "%2f%2f") {
			break
		}
		v = refUnescape(v)
	}
	v = strings.TrimSpace(v)
	lower := strings.ToLower(v)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") || strings.HasPrefix(v, "//") {
		return v
	}
	// A scheme-less nested link counts only if it starts with an AliExpress host name.
	host := v
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if !strings.Contains(v, "://") && IsAliExpressHost(host) {
		return v
	}
	return ""
}

// refUnescape decodes a query component: %XX escapes and + for space. Escapes of ASCII digits are left
// as they are, so every digit of an ID was written as a digit in the caller's input.
func refUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && refIsHex(s[i+1]) && refIsHex(s[i+2]):
			d := refUnhex(s[i+1])<<4 | refUnhex(s[i+2])
			if '0' <= d && d <= '9' {
				b.WriteString(s[i : i+3])
			} else {
				b.WriteByte(d)
			}
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func refIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func refUnhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// refID parses a product ID token: 8 to 20 ASCII digits, no leading zero, within int64.
func refID(tok string) (int64, bool) {
	if len(tok) < 8 || len(tok) > 20 || tok[0] == '0' || !refDigits(tok) {
		return 0, false
	}
	id, err := strconv.ParseInt(tok, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// refDigits reports whether s is non-empty and all ASCII digits.
func refDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func refNotProduct(s, reason string) error {
	return fmt.Errorf("aliexpress: %q: %w (%s)", refQuote(s), ErrNotProductLink, reason)
}

// refQuote shortens s for an error message; the caller quotes it with %q.
func refQuote(s string) string {
	if len(s) <= refMaxQuoted {
		return s
	}
	cut := refMaxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
