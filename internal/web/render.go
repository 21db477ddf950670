package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

//go:embed templates
var templateFS embed.FS

// pageNames are the pages: each one's file defines its "content", drawn inside layout.html's frame
// (see renderContent), with the templates of partials.html, lists_partials.html and connect.html.
var pageNames = []string{"search", "compare", "product", "import", "error",
	"signin", "signup", "account", "lists", "list", "watches", "watch", "alerts", "priceupdates",
	"operator", "operator_users", "operator_quota", "operator_jobs", "operator_notices",
	"orders", "order"}

// mustTemplates parses the layout, the partials and every page into one set, each page's content
// named contentTemplate(page); image is the image policy (sanitize.Options.Image) of the pictures
// they show. One set rather than one per page: html/template copies every template it is given, so
// 21 sets held 21 copies of the layout and partials, most of the server's live heap when idle
// (about 4.5 MB of parse trees, each scanned by every garbage collection).
func mustTemplates(sf *staticFiles, image func(string) string) *template.Template {
	funcs := template.FuncMap{
		"static":        sf.url,
		"money":         formatMoney,
		"count":         formatCount,
		"number":        formatInt,
		"bp":            formatBP,
		"rating":        formatRating,
		"percent":       formatPercent,
		"when":          formatTime,
		"clean":         cleanText,
		"title":         titleOf,
		"httpURL":       httpURL,
		"sourceLink":    sourceLink,
		"image":         func(p *catalog.Product) string { return imageOf(image, p) },
		"minor":         minorUnits,
		"unit":          wholeUnit,
		"cents":         func(m catalog.Money) string { return strconv.FormatInt(m.Amount, 10) },
		"join":          strings.Join,
		"deref":         deref,
		"add":           func(a, b int) int { return a + b },
		"countryName":   countryName,
		"fieldLabel":    fieldLabel,
		"currencySigns": catalog.CurrencySigns,
		"fieldID":       fieldID,
		"field": func(errs map[string]string, name string) string {
			return errs[name]
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	set := template.Must(template.New("pages").Funcs(funcs).ParseFS(templateFS,
		"templates/layout.html", "templates/partials.html", "templates/lists_partials.html", "templates/connect.html"))
	for _, name := range pageNames {
		src, err := templateFS.ReadFile("templates/" + name + ".html")
		if err != nil {
			panic(err)
		}
		text, n := string(src), strings.Count(string(src), contentDefine)
		if n != 1 {
			panic(fmt.Sprintf("templates/%s.html: %d definitions %s; want one", name, n, contentDefine))
		}
		text = strings.Replace(text, contentDefine, `{{define "`+contentTemplate(name)+`"}}`, 1)
		// In one set, a name a page defined again would silently replace the earlier one for
		// every page: shared templates belong in the partials.
		for _, m := range defineName.FindAllStringSubmatch(text, -1) {
			if set.Lookup(m[1]) != nil {
				panic(fmt.Sprintf("templates/%s.html defines %q, already defined elsewhere", name, m[1]))
			}
		}
		template.Must(set.New(name + ".html").Parse(text))
	}
	return set
}

// defineName finds the names a template file defines.
var defineName = regexp.MustCompile(`{{-?\s*define\s+"([^"]+)"`)

// contentDefine opens a page's content in its file.
const contentDefine = `{{define "content"}}`

// contentTemplate is the name of page name's content in the set of templates.
func contentTemplate(name string) string { return "content:" + name }

// base is what every page shows around its content: the sandbox banner, the health card, the
// stale note and the footer.
type base struct {
	Title       string
	Nav         string // the active navigation item
	Simulated   bool
	Health      catalog.Health
	HealthBad   bool
	Stale       bool
	StaleReason string
	FetchedAt   time.Time // when the prices shown were fetched
	Year        int

	Accounts bool      // the app has accounts: show sign-in, lists and the account
	Console  bool      // the app has the operator console
	Orders   bool      // the app places supplier orders
	Me       *viewer   // who is signed in; nil for nobody
	Flash    string    // what the last action did
	Save     *saveForm // the "Save to list" chooser of the search, product and import pages

	// Connect is the signed-in user's connected AliExpress accounts: the banner, the DS note.
	Connect *connectFrame
	// UnreadAlerts is the signed-in user's unread alerts, for the navigation.
	UnreadAlerts int

	// SkipToResults offers a link past the search form to the results.
	SkipToResults bool
	// Content is the page's content, drawn before its frame (see renderContent).
	Content template.HTML
}

// base fills the frame of a page titled title.
func (s *Server) base(r *http.Request, title, nav string) base {
	h := s.cat.Health(r.Context())
	b := base{
		Title: title, Nav: nav,
		Simulated: s.cfg.Simulated || h.Simulated,
		Health:    h,
		HealthBad: !h.OK && h.Message != "",
		Year:      s.now().Year(),
		Console:   s.cfg.Console != nil,
		Orders:    s.cfg.Orders != nil,
	}
	s.accountBase(r, &b)
	s.unreadAlerts(r, &b)
	return b
}

// render writes the page template name with data and status. The page is rendered in full before
// anything is sent, so that a template failure becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data framed) {
	c, err := s.drawContent(name, data)
	if err != nil {
		s.renderFailed(w, name, err)
		return
	}
	s.renderContent(w, r, status, name, data, c)
}

// renderFailed answers a page whose template failed with a clean 500, the details in the log.
func (s *Server) renderFailed(w http.ResponseWriter, name string, err error) {
	s.log.Error("render page", "page", name, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("aliscout could not draw this page. The details are in the server log.\n"))
}

// errorPage is the data of the error page.
type errorPage struct {
	base
	Problem problem
}

// renderError shows p as a page. It asks the catalog for nothing when the server itself failed,
// so that a broken catalog cannot break the error page too.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p problem) {
	var b base
	if p.Status < 500 || p.Code != catalog.EInternal {
		b = s.base(r, "", "")
	} else {
		b = base{Simulated: s.cfg.Simulated, Year: s.now().Year()}
		s.accountBase(r, &b)
	}
	switch p.Status {
	case http.StatusNotFound:
		b.Title = "Not found"
	case http.StatusBadRequest:
		b.Title = "Check your input"
	case http.StatusForbidden:
		b.Title = "Refused"
	case http.StatusServiceUnavailable:
		b.Title = "Not available right now"
	default:
		b.Title = "Something went wrong"
	}
	s.render(w, r, p.Status, "error", &errorPage{base: b, Problem: p})
}

// withQuery returns path with v as its query string.
func withQuery(path string, v url.Values) string {
	if q := v.Encode(); q != "" {
		return path + "?" + q
	}
	return path
}
