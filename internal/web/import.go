package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
)

// maxFormBytes caps the body of a form or API request.
const maxFormBytes = 1 << 20

// importRow is one line of an import preview.
type importRow struct {
	Line   int
	Input  string
	P      *catalog.Product
	Title  string
	Image  string
	Error  string
	Detail string
}

// importData is the import page.
type importData struct {
	base
	Text       string // the textarea, as the user pasted it
	Rule       string
	Opts       catalog.ProductOptions
	Errors     map[string]string
	ErrorList  []*catalog.Error
	Rows       []importRow
	Found      int
	Missing    int
	Previewed  bool
	Prefilled  bool // the form was filled from a link, not looked up yet
	MaxLines   int
	Countries  []option
	Currencies []option
	Languages  []option
}

func (s *Server) newImportData(r *http.Request, text, rule string, opts catalog.ProductOptions) importData {
	if rule == "" {
		rule = DefaultRule
	}
	return importData{base: s.base(r, "Import", "import"), Text: text, Rule: rule, Opts: opts,
		Errors: map[string]string{}, MaxLines: s.cfg.MaxImportLines,
		Countries: countryOptions(opts.ShipTo), Currencies: listOptions(catalog.Currencies(), opts.Currency),
		Languages: listOptions(catalog.Languages(), opts.Language)}
}

// importPage shows the import form. With ?ids=1,2 (a link to some products) it fills the form
// with them without looking them up: a GET may come from an <img> on any site, and a look-up
// spends AliExpress quota, so that waits for the user's own "Look up" (a POST).
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts, oerr := parseProductOptions(q, "ship_to")
	ids, ierr := parseIDs(q, "ids", s.cfg.MaxImportLines)
	var lines []string
	for _, id := range ids {
		lines = append(lines, strconv.FormatInt(id, 10))
	}
	d := s.newImportData(r, strings.Join(lines, "\n"), strings.TrimSpace(q.Get("rule")), opts)
	if err := errors.Join(oerr, ierr); err != nil {
		d.ErrorList = fieldErrors(err)
		d.Errors = fieldMap(d.ErrorList)
		d.Text = strings.Join(q["ids"], "\n")
		s.render(w, r, http.StatusBadRequest, "import", d)
		return
	}
	d.Prefilled = len(lines) > 0
	s.render(w, r, http.StatusOK, "import", d)
}

// importPost previews what the pasted lines are, or the products picked by ID (ids=1,2 or
// ids=1&ids=2, from the "Export" buttons of the search and product pages). Whatever goes wrong,
// the textarea comes back with what the user pasted.
func (s *Server) importPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	perr := r.ParseForm()
	text := r.PostForm.Get("urls")
	opts, oerr := parseProductOptions(r.PostForm, "ship_to")
	var errs []error
	if r.PostForm.Has("ids") {
		ids, err := parseIDs(r.PostForm, "ids", s.cfg.MaxImportLines)
		errs = append(errs, err)
		var lines []string
		for _, id := range ids {
			lines = append(lines, strconv.FormatInt(id, 10))
		}
		if err != nil {
			lines = r.PostForm["ids"]
		}
		text = strings.Join(append(splitLines(text), lines...), "\n")
	}
	d := s.newImportData(r, text, strings.TrimSpace(r.PostForm.Get("rule")), opts)
	if perr != nil {
		errs = append(errs, invalid("urls", "the form could not be read (at most %d KB): %v", maxFormBytes>>10, perr))
	}
	errs = append(errs, oerr)
	lines := splitLines(text)
	terr := catalog.ValidText("urls", text)
	switch {
	case perr != nil:
	case terr != nil:
		errs = append(errs, terr)
	case len(lines) == 0 && r.PostForm.Has("ids"):
		errs = append(errs, invalid("ids", "pick at least one product to export"))
	case len(lines) == 0:
		errs = append(errs, invalid("urls", "paste at least one AliExpress link, short link or product ID, one per line"))
	case len(lines) > s.cfg.MaxImportLines:
		errs = append(errs, invalid("urls", "%d lines pasted; at most %d at a time. Split the list and import the rest next", len(lines), s.cfg.MaxImportLines))
	}
	if d.Rule != "" {
		if _, err := parseCalc(url.Values{"rule": {d.Rule}}, opts.Currency); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		d.ErrorList = fieldErrors(err)
		d.Errors = fieldMap(d.ErrorList)
		s.render(w, r, http.StatusBadRequest, "import", d)
		return
	}
	d.preview(s, r, lines)
	s.render(w, r, http.StatusOK, "import", d)
}

// splitLines returns the non-blank lines of text, trimmed.
func splitLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// preview runs the import of lines and lays out what was found and what was not.
func (d *importData) preview(s *Server, r *http.Request, lines []string) {
	d.Previewed = true
	keep := productSettings(d.Opts.ShipTo, d.Opts.Currency, d.Opts.Language)
	results := s.cat.Import(r.Context(), lines, d.Opts)
	for i, res := range results {
		row := importRow{Line: i + 1, Input: cleanText(res.Input)}
		if res.Product != nil && res.Error == "" {
			p := res.Product
			row.P = p
			row.Title = titleOf(p)
			row.Image = imageOf(s.page.Image, p)
			row.Detail = withQuery("/products/"+strconv.FormatInt(p.ID, 10), keep)
			d.Found++
			d.Stale = d.Stale || p.Stale
			if !p.FetchedAt.IsZero() && (d.FetchedAt.IsZero() || p.FetchedAt.Before(d.FetchedAt)) {
				d.FetchedAt = p.FetchedAt
			}
		} else {
			row.Error = res.Error
			if row.Error == "" {
				row.Error = "Not found."
			}
			d.Missing++
		}
		d.Rows = append(d.Rows, row)
	}
}

// linkJSON is one answer of POST /api/links.
type linkJSON struct {
	Source    string `json:"source"`
	ProductID int64  `json:"product_id"`
	URL       string `json:"url"`
	Error     string `json:"error"`
}

// apiLinks turns AliExpress URLs into affiliate links. It reads JSON {"urls": [...]}, a form with
// urls (one per line, or repeated), or plain text with one URL per line.
func (s *Server) apiLinks(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sources, err := readSources(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	switch {
	case len(sources) == 0:
		s.failErr(w, r, invalid("urls", "give at least one AliExpress URL"))
		return
	case len(sources) > s.cfg.MaxImportLines:
		s.failErr(w, r, invalid("urls", "%d URLs given; at most %d at a time", len(sources), s.cfg.MaxImportLines))
		return
	}
	links, err := s.cat.Links(r.Context(), sources)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	out := struct {
		Links []linkJSON `json:"links"`
	}{Links: make([]linkJSON, 0, len(links))}
	for _, l := range links {
		u := l.URL
		if u != "" && httpURL(u) == "" {
			u, l.Error = "", "AliExpress answered with a link that is not http(s)"
		}
		out.Links = append(out.Links, linkJSON{Source: l.Source, ProductID: l.ProductID, URL: u, Error: l.Error})
	}
	writeJSON(w, http.StatusOK, out)
}
