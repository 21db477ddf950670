package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The image proxy serves the simulator's pictures from the app's own origin. On the embedded
// default the simulator listens on a loopback port: a browser on another machine cannot reach
// it, so pages would show no pictures at all.
const (
	maxProxiedImage   = 4 << 20 // bytes: a picture bigger than that is refused
	imageProxyTimeout = 10 * time.Second
	imageCacheControl = "public, max-age=86400"
)

// imagePathRe is what may follow /img/: path segments of letters, digits, dots, dashes and
// underscores, none starting with a dot. Nothing else reaches the upstream URL.
var imagePathRe = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}){0,7}$`)

// proxiedImageTypes are the picture types the proxy passes on. SVG is not among them: served
// from the app's origin, it could carry script.
var proxiedImageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true}

// imageProxy fetches pictures from below one base URL, and from nowhere else.
type imageProxy struct {
	base   *url.URL // scheme://host[:port]/path/, the path ending in a slash
	client *http.Client
}

// newImageProxy returns the proxy of Config.ImageProxy, nil when it is empty or not an http(s)
// URL without query or user.
func newImageProxy(raw string) *imageProxy {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return &imageProxy{base: &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: u.Path},
		client: &http.Client{
			Timeout: imageProxyTimeout,
			// A redirect would lead elsewhere than the base: it is an error, not followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
}

// rest returns the part of u below the base, and whether u is a picture the proxy serves.
func (p *imageProxy) rest(u *url.URL) (string, bool) {
	if p == nil || u.Scheme != p.base.Scheme || !strings.EqualFold(u.Host, p.base.Host) || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.EscapedPath(), p.base.Path)
	return rest, ok && imagePathRe.MatchString(rest)
}

// allowed reports whether u is a picture the proxy serves, for the image policy.
func (p *imageProxy) allowed(u *url.URL) bool {
	_, ok := p.rest(u)
	return ok
}

// pageURL rewrites a picture the proxy serves to its /img/ URL; any other src is returned as it is.
func (p *imageProxy) pageURL(src string) string {
	u, err := url.Parse(src)
	if err != nil {
		return src
	}
	if rest, ok := p.rest(u); ok {
		return "/img/" + rest
	}
	return src
}

// serveImage answers GET /img/{path...} with the picture at the proxy's base URL plus path.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request) {
	p := s.proxy
	rest := r.PathValue("path")
	if p == nil || !imagePathRe.MatchString(rest) {
		imageError(w, http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), imageProxyTimeout)
	defer cancel()
	target := *p.base
	target.Path += rest
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		imageError(w, http.StatusNotFound)
		return
	}
	req.Header.Set("Accept", "image/*")
	resp, err := p.client.Do(req)
	if err != nil {
		s.log.Warn("image proxy: fetch failed", "path", rest, "err", err)
		imageError(w, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		imageError(w, http.StatusNotFound)
		return
	case resp.StatusCode != http.StatusOK:
		imageError(w, http.StatusBadGateway)
		return
	}
	ct, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || !proxiedImageTypes[ct] || resp.ContentLength > maxProxiedImage {
		imageError(w, http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProxiedImage+1))
	if err != nil || len(body) > maxProxiedImage {
		imageError(w, http.StatusBadGateway)
		return
	}
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", imageCacheControl)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// imageError answers a picture request that failed with status and no body a page would show.
func imageError(w http.ResponseWriter, status int) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status)+"\n")
}
