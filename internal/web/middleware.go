package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// contentSecurityPolicy allows scripts and styles only from the app's own static files (no inline
// script, no inline style), images only from the app, AliExpress's CDNs (https) and the extra
// image origins (the simulator's), and nothing to frame the app or receive its forms. A
// description image from anywhere else would make every visitor's browser call a URL a seller
// chose; the sanitizer drops those, and this stops any that slipped through.
func contentSecurityPolicy(imageOrigins []*url.URL) string {
	img := []string{"'self'"}
	for _, d := range sanitize.AliExpressImageDomains() {
		img = append(img, "https://*."+d)
	}
	for _, o := range imageOrigins {
		img = append(img, o.String())
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src " + strings.Join(img, " ") + "; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'none'"
}

// middleware wraps the routes with, from the outside in: request logging, metrics and panic
// recovery; security headers; the Host check; who is asking (session cookie or API token); the
// cross-origin guard on state-changing requests that carry a cookie; the sign-in requirement.
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			s.log.Warn("ignoring trusted origin", "origin", o, "err", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := problem{Status: http.StatusForbidden, Code: "forbidden",
			Message: "This request came from another site and was refused (cross-origin protection). Submit the form from aliscout's own pages."}
		s.fail(w, r, p)
	}))
	guarded := s.withAccounts(mux, cop)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		// However slow AliExpress is, a request answers within its budget with what is known;
		// the cache's loads go on in the background for the next asker.
		var deadline time.Time
		if s.cfg.RequestBudget > 0 {
			deadline = time.Now().Add(s.cfg.RequestBudget) // the real clock, as the timer's
		}
		ctx := newRequestContext(r.Context(), deadline)
		defer ctx.release()
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		h := rec.Header()
		setShared(h, "Content-Security-Policy", s.csp)
		setShared(h, "X-Content-Type-Options", hvNoSniff)
		setShared(h, "Referrer-Policy", hvReferrer)
		if !isAPI(r) {
			// Headers only a document uses; the CSP's frame-ancestors covers framing everywhere.
			// A JSON answer goes without, which keeps its header map small (at most eight
			// entries, one allocation).
			setShared(h, "X-Frame-Options", hvDeny)
			setShared(h, "Cross-Origin-Opener-Policy", hvSameOrigin)
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", logPath(r),
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wrote {
					s.fail(rec, r, problemOf(errors.New("panic")))
				}
			}
			d := s.now().Sub(start)
			route := r.Pattern
			if route == "" || route == "/" {
				route = "other"
			}
			if s.cfg.Metrics != nil {
				s.cfg.Metrics.ObserveRequest(route, r.Method, rec.code(), d)
			}
			if s.log.Enabled(r.Context(), slog.LevelInfo) { // spares building the record's values
				s.log.Info("http request", "method", r.Method, "path", logPath(r), "route", route,
					"status", rec.code(), "bytes", rec.bytes, "duration", d, "remote", r.RemoteAddr)
			}
		}()
		if !s.hostAllowed(r) {
			misdirected(rec, r)
			return
		}
		out, done := withGzip(rec, r)
		guarded.ServeHTTP(out, r)
		done()
	})
}

// requestState is what the steps of serving a request find out about it (who asks, the catalog
// it reads through), held in its context from the start so that each step fills in its part
// instead of making another copy of the request.
type requestState struct {
	id  identity
	cat *requestCatalog // nil until withRequestCatalog
}

type requestStateKey struct{}

// stateOf returns r's requestState; nil for a request that did not come through the middleware.
func stateOf(r *http.Request) *requestState {
	st, _ := r.Context().Value(requestStateKey{}).(*requestState)
	return st
}

// hostAllowed reports whether r is addressed to one of Config.AllowedHosts, or is a liveness
// probe, which load balancers send to an IP address.
func (s *Server) hostAllowed(r *http.Request) bool {
	return s.hosts == nil || s.hosts[strings.ToLower(r.Host)] || r.URL.Path == "/healthz" || r.URL.Path == "/readyz"
}

// misdirected answers a request for a host the app does not serve, in plain text: the page
// that sent it is not aliscout's, so nothing of aliscout's is shown to it.
func misdirected(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if len(host) > 100 {
		host = host[:100] + "…"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusMisdirectedRequest)
	fmt.Fprintf(w, "421 Misdirected Request: aliscout does not answer to the host %q.\n"+
		"Open it at the address it listens on, or set ALISCOUT_PUBLIC_URL (--public-url) to the address you use.\n",
		strings.ToValidUTF8(host, "\uFFFD"))
}

// statusRecorder remembers the status and size of a response, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status = http.StatusOK
		w.wrote = true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets streamed downloads reach the client as they are written.
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusRecorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// isAPI reports whether r asks for JSON rather than a page.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/")
}

// fail answers r with p: JSON for the API, an error page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, p problem) {
	s.retryUntil(&p)
	p.setRetryAfter(w.Header())
	if isAPI(r) {
		writeJSONError(w, p)
		return
	}
	s.renderError(w, r, p)
}

// failErr answers r with the problem err is, and logs it when it is not the user's fault.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	s.logError(r, err, p)
	s.fail(w, r, p)
}

// notFound answers paths no route matches, and methods a path does not allow.
func (s *Server) notFound(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			if m == r.Method {
				continue
			}
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				w.Header().Set("Allow", m)
				s.fail(w, r, problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
					Message: fmt.Sprintf("%s does not accept %s requests.", r.URL.Path, r.Method)})
				return
			}
		}
		s.fail(w, r, problem{Status: http.StatusNotFound, Code: catalog.ENotFound,
			Message: "There is no page at " + r.URL.Path + "."})
	}
}
