package sandbox

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// The platform's affiliate links are short links (s.click.aliexpress.com/e/_…) that its redirect
// service sends on to the product page. A Sandbox makes such links too, and answers them at its
// own origin: GET /e/{code} redirects to the source the link was made for, as the redirect service
// does. ShortLinkClient routes a client's requests for the short-link hosts there.

// maxShortLinks bounds the links a Sandbox remembers; past it, it starts over (a link made again
// for the same source and tracking ID is the same link).
const maxShortLinks = 100_000

// ShortLinkHosts are the hosts of the platform's short links, which a Sandbox answers at /e/ and
// /_ of its own origin.
var ShortLinkHosts = []string{"s.click.aliexpress.com", "click.aliexpress.com", "a.aliexpress.com"}

// promotionLink derives the affiliate short link for a source URL and tracking ID: the same pair
// always gives the same link, like the platform's.
func promotionLink(trackingID, source string) string {
	sum := sha256.Sum256([]byte(trackingID + "\x00" + source))
	n := binary.BigEndian.Uint64(sum[:8])
	code := make([]byte, 7)
	for i := range code {
		code[i] = base62[n%62]
		n /= 62
	}
	return "https://s.click.aliexpress.com/e/_" + string(code)
}

// shortLink is promotionLink, remembered so that the Sandbox can redirect it to source.
func (s *Sandbox) shortLink(trackingID, source string) string {
	link := promotionLink(trackingID, source)
	s.linksMu.Lock()
	if s.links == nil || len(s.links) >= maxShortLinks {
		s.links = make(map[string]string)
	}
	s.links[strings.TrimPrefix(link, "https://s.click.aliexpress.com/e/")] = source
	s.linksMu.Unlock()
	return link
}

// serveShortLink answers a short link the Sandbox made with a redirect to its source, and any
// other with 404, as the platform's redirect service answers a link it does not know.
func (s *Sandbox) serveShortLink(w http.ResponseWriter, r *http.Request) {
	s.linksMu.Lock()
	target, ok := s.links[r.PathValue("code")]
	s.linksMu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// ShortLinkClient returns an HTTP client that sends requests for the platform's short-link hosts
// (ShortLinkHosts) to the Sandbox at base (its URL, such as Server.URL) and refuses every other
// request: with it, aliexpress.ResolveProductID follows the Sandbox's own affiliate links, and
// nothing reaches the real platform or any other host.
func ShortLinkClient(base string) (*http.Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("sandbox: short links: want the Sandbox's http(s) URL")
	}
	return &http.Client{Transport: shortLinkTransport{scheme: u.Scheme, host: u.Host, next: http.DefaultTransport}}, nil
}

type shortLinkTransport struct {
	scheme, host string
	next         http.RoundTripper
}

// errNotShortLink is what the client of ShortLinkClient answers for any other host.
var errNotShortLink = errors.New("sandbox: only the platform's short links are answered (by the Sandbox)")

func (t shortLinkTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	host := strings.TrimSuffix(strings.ToLower(r.URL.Hostname()), ".")
	known := false
	for _, h := range ShortLinkHosts {
		known = known || host == h
	}
	if !known || r.Method != http.MethodGet {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errNotShortLink
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.scheme, t.host, t.host
	if host == "a.aliexpress.com" { // app shares: a.aliexpress.com/_code
		r2.URL.Path = "/e" + r.URL.Path
		r2.URL.RawPath = ""
	}
	return t.next.RoundTrip(r2)
}
