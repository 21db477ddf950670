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
	// Picked says the row's export box is ticked: every product found, or those the export
	// form sent back.
	Picked bool
	// Warehouses are the product's "Ships From" values to export it from, the chosen one
	// selected; empty for a product with one warehouse.
	Warehouses []option
	Stock      string // what is known of the stock: "Sold out", "532 in stock", ""
}

// importData is the import page.
type importData struct {
	base
	Text       string // the textarea, as the user pasted it
	Rule       string
	Sell       string // a selling price carried from the calculator; it wins over the rule
	InStock    bool   // leave sold-out products out of the export
	Calc       calc
	Keep       url.Values // the calculator and shipping rule, carried to the product pages and the export
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
	return importData{base: s.base(r, "Import", "import"), Text: text, Rule: rule, Opts: opts, InStock: true,
		Errors: map[string]string{}, MaxLines: s.cfg.MaxImportLines,
		Countries: countryOptions(opts.ShipTo), Currencies: listOptions(catalog.Currencies(), opts.Currency),
		Languages: listOptions(catalog.Languages(), opts.Language)}
}

// carry reads the calculator and shipping rule that a page sent along (sell, fees, ship_rule, …)
// so that the preview and the export price as that page did, and in_stock. Errors name the
// field.
func (d *importData) carry(v url.Values) error {
	c, err := parseCalc(v, d.Opts.Currency)
	d.Calc = c
	d.Sell = strings.TrimSpace(v.Get("sell"))
	d.Keep = carried(d.Opts.ShipTo, d.Opts.Currency, d.Opts.Language, c)
	sub := url.Values{}
	if vs, ok := v["in_stock"]; ok {
		sub["in_stock"] = vs
	}
	f, ferr := catalog.ParseFilters(sub)
	d.InStock = f.InStock
	return errors.Join(err, ferr)
}

// Carried are the carried parameters the export form sends as hidden fields: all but the rule
// and the selling price, which it shows as inputs.
func (d importData) Carried() url.Values {
	v := url.Values{}
	for k, vs := range d.Keep {
		switch k {
		case "rule", "sell", "ship_to", "currency", "language":
		default:
			v[k] = vs
		}
	}
	return v
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
	cerr := d.carry(q)
	if err := errors.Join(oerr, ierr, cerr); err != nil {
		d.ErrorList = fieldErrors(err)
		d.Errors = fieldMap(d.ErrorList)
		d.Text = strings.Join(q["ids"], "\n")
		s.render(w, r, http.StatusBadRequest, "import", &d)
		return
	}
	d.Prefilled = len(lines) > 0
	s.render(w, r, http.StatusOK, "import", &d)
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
	errs = append(errs, d.carry(r.PostForm))
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
	if err := errors.Join(errs...); err != nil {
		d.ErrorList = uniqueFields(fieldErrors(err))
		d.Errors = fieldMap(d.ErrorList)
		s.render(w, r, http.StatusBadRequest, "import", &d)
		return
	}
	d.preview(s, r, lines, nil, nil)
	s.render(w, r, http.StatusOK, "import", &d)
}

// importAgain answers an export form whose input was wrong (POST /export): the import page, with
// what was looked up (its products come from the cache), the boxes and warehouses as the user
// left them, and the fields to fix.
func (s *Server) importAgain(w http.ResponseWriter, r *http.Request, q url.Values, err error) {
	if q == nil {
		q = url.Values{}
	}
	opts, oerr := parseProductOptions(q, "ship_to")
	text := q.Get("urls")
	if strings.TrimSpace(text) == "" {
		text = strings.Join(q["ids"], "\n")
	}
	d := s.newImportData(r, text, strings.TrimSpace(q.Get("rule")), opts)
	cerr := d.carry(q)
	d.ErrorList = uniqueFields(fieldErrors(errors.Join(err, oerr, cerr)))
	d.Errors = fieldMap(d.ErrorList)
	lines := splitLines(text)
	if oerr == nil && len(lines) > 0 && len(lines) <= s.cfg.MaxImportLines && catalog.ValidText("urls", text) == nil {
		picked := map[string]bool{}
		for _, v := range q["ids"] {
			for _, id := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				picked[id] = true
			}
		}
		shipsFrom := map[string]string{}
		for k, vs := range q {
			if id, ok := strings.CutPrefix(k, "ships_from_"); ok && len(vs) > 0 {
				shipsFrom[id] = vs[len(vs)-1]
			}
		}
		d.preview(s, r, lines, picked, shipsFrom)
	}
	s.render(w, r, http.StatusBadRequest, "import", &d)
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

// preview runs the import of lines and lays out what was found and what was not. picked, when
// not nil, are the product IDs whose boxes stay ticked, and shipsFrom the warehouses chosen, by
// product ID (an export form sent back).
func (d *importData) preview(s *Server, r *http.Request, lines []string, picked map[string]bool, shipsFrom map[string]string) {
	d.Previewed = true
	keep := d.Keep
	results := s.catalogFor(r).Import(r.Context(), lines, d.Opts)
	for i, res := range results {
		row := importRow{Line: i + 1, Input: cleanText(res.Input)}
		if res.Product != nil && res.Error == "" {
			p := res.Product
			row.P = p
			row.Title = titleOf(p)
			row.Image = imageOf(s.page.Image, p)
			id := strconv.FormatInt(p.ID, 10)
			row.Detail = withQuery("/products/"+id, keep)
			row.Picked = picked == nil || picked[id]
			if whs := p.Warehouses(); len(whs) > 0 {
				chosen, ok := shipsFrom[id]
				if !ok {
					chosen = p.Warehouse(d.Calc.Ship)
				}
				for _, wh := range whs {
					row.Warehouses = append(row.Warehouses, option{Value: wh, Label: cleanText(wh), Selected: strings.EqualFold(wh, chosen)})
				}
			}
			switch n, known := p.Stock(); {
			case p.SoldOut():
				row.Stock = "Sold out"
			case known:
				row.Stock = formatInt(n) + " in stock"
			}
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
