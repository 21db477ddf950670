package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// readSources reads the URLs of a link request: JSON {"urls": [...]}, a form with urls, or plain
// text, one per line.
func readSources(r *http.Request) ([]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body struct {
			URLs []string `json:"urls"`
		}
		if err := decodeJSONBody(r.Body, &body); err != nil {
			return nil, invalid("urls", "the body is not JSON of the form {\"urls\": [\"https://...\"]}: %v", err)
		}
		var out []string
		for _, u := range body.URLs {
			if u = strings.TrimSpace(u); u != "" {
				out = append(out, u)
			}
		}
		return out, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(maxFormBytes); err != nil && err != http.ErrNotMultipart {
			return nil, invalid("urls", "the form could not be read")
		}
		var out []string
		for _, v := range r.PostForm["urls"] {
			if err := catalog.ValidText("urls", v); err != nil {
				return nil, err
			}
			out = append(out, splitLines(v)...)
		}
		return out, nil
	default:
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, invalid("urls", "the body could not be read (at most %d KB)", maxFormBytes>>10)
		}
		if err := catalog.ValidText("urls", string(b)); err != nil {
			return nil, err
		}
		return splitLines(string(b)), nil
	}
}

// decodeJSONBody decodes exactly one JSON value from body into v. Anything after that value (a
// second value, or garbage) is an error: a body is read the one way it was meant, or not at all.
func decodeJSONBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return errors.New("it does not parse")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("there is more after the JSON value")
	}
	return nil
}

// healthJSON is the answer of GET /api/health. It never holds the app secret.
type healthJSON struct {
	OK          bool       `json:"ok"`
	Simulated   bool       `json:"simulated"`
	Gateway     string     `json:"gateway"`
	AppKey      string     `json:"app_key"`
	TrackingID  bool       `json:"tracking_id"`
	Links       string     `json:"links"` // "affiliate", "plain" (no tracking ID: they earn nothing) or "sandbox"
	DS          bool       `json:"ds"`
	Code        string     `json:"code,omitempty"`
	Message     string     `json:"message,omitempty"`
	CheckedAt   *time.Time `json:"checked_at,omitempty"`
	CallsToday  int        `json:"calls_today"`
	DailyBudget int        `json:"daily_budget"`
}

func (s *Server) apiHealth(w http.ResponseWriter, r *http.Request) {
	h := s.cat.Health(r.Context())
	out := healthJSON{OK: h.OK, Simulated: h.Simulated || s.cfg.Simulated, Gateway: h.Gateway, AppKey: h.AppKey,
		TrackingID: h.TrackingID, DS: h.DS, Code: h.Code, Message: h.Message, CallsToday: h.CallsToday,
		DailyBudget: h.DailyBudget}
	switch {
	case out.Simulated:
		out.Links = "sandbox"
	case h.TrackingID:
		out.Links = "affiliate"
	default:
		out.Links = "plain"
	}
	if !h.CheckedAt.IsZero() {
		t := h.CheckedAt.UTC()
		out.CheckedAt = &t
	}
	writeJSON(w, http.StatusOK, out)
}

// healthz is the liveness probe: the process answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	setShared(w.Header(), "Content-Type", hvText)
	setShared(w.Header(), "Cache-Control", hvNoStore)
	_, _ = io.WriteString(w, "ok\n")
}

// readyz is the readiness probe a load balancer uses: 200 when what this replica needs to serve
// answers (Config.Ready: the store, and Redis when configured), else 503 naming what does not.
// Unlike /healthz, a replica that is alive but cannot serve is taken out of rotation.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready: "+err.Error()+"\n")
			return
		}
	}
	_, _ = io.WriteString(w, "ready\n")
}

func (s *Server) apiCategories(w http.ResponseWriter, r *http.Request) {
	lang := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("language")))
	if lang == "" {
		lang = catalog.DefaultLanguage
	}
	if !catalog.IsLanguage(lang) {
		s.failErr(w, r, invalid("language", "%q is not a language AliExpress offers", lang))
		return
	}
	cats, err := s.cat.Categories(r.Context(), lang)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewCategoriesJSON(cats))
}

// CategoriesJSON is the answer of GET /api/categories, and of `aliscout categories --json`.
type CategoriesJSON struct {
	Categories []categoryJSON `json:"categories"`
}

// NewCategoriesJSON is cats as the JSON API writes them.
func NewCategoriesJSON(cats []catalog.Category) CategoriesJSON {
	out := CategoriesJSON{Categories: make([]categoryJSON, 0, len(cats))}
	for _, c := range cats {
		out.Categories = append(out.Categories, categoryOut(c))
	}
	return out
}
