package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// sortLabels name the sort orders in the form.
var sortLabels = map[string]string{
	catalog.SortRelevance:  "Best match",
	catalog.SortOrdersDesc: "Most orders (30 days)",
	catalog.SortOrdersAsc:  "Fewest orders (30 days)",
	catalog.SortPriceAsc:   "Price: low to high",
	catalog.SortPriceDesc:  "Price: high to low",
	catalog.SortDiscount:   "Biggest discount",
	catalog.SortRating:     "Best rated",
	catalog.SortCommission: "Highest commission",
	catalog.SortDelivery:   "Fastest delivery",
}

// filterFields are the query parameters of a search, as catalog.ParseFilters reads them.
var filterFields = []string{"q", "category", "min_price", "max_price", "min_rating", "min_orders",
	"min_discount", "free_shipping", "max_delivery_days", "ship_to", "currency", "language", "sort",
	"page", "page_size", "ship_rule", "in_stock"}

// exampleQueries start a first search with one click.
var exampleQueries = []string{"phone holder", "led strip lights", "pet hair remover", "posture corrector", "car vacuum"}

// option is one entry of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// item is one product in a list with its margin.
type item struct {
	P      *catalog.Product
	Title  string
	Q      quote
	Detail string // the product page, with the search's destination, currency and calculator
}

// pageLink is one entry of the pagination.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis
}

// searchData is the search page.
type searchData struct {
	base
	Form       url.Values        // what the user typed, or the defaults
	Errors     map[string]string // by field
	ErrorList  []*catalog.Error
	Failure    *problem // the search failed (AliExpress, not the input)
	Filters    catalog.Filters
	Calc       calc
	View       string
	Searched   bool
	Result     catalog.SearchResult
	Items      []item
	Hidden     int
	TotalText  string
	PageNote   string // why the page shown is not the one asked for, or holds fewer products
	ScanNote   string // that the pages hold fewer products than the total
	Categories []option
	Countries  []option
	Currencies []option
	Languages  []option
	Sorts      []option
	Pages      []pageLink
	PageCount  string // "page 2 of 7", "page 2"
	Prev, Next string
	GridURL    string
	TableURL   string
	Keep       url.Values // the settings the compare and export forms carry along
	NoImport   bool       // some margins on the page are before import charges
	sortBase   url.Values // the search, for the table's sort links
	Examples   []option
	pendingShipping
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/search", http.StatusFound)
}

// parseView reads the view parameter: grid (the default) or table.
func parseView(v url.Values) (string, error) {
	switch view := strings.TrimSpace(v.Get("view")); view {
	case "", "grid":
		return "grid", nil
	case "table":
		return "table", nil
	default:
		return "grid", invalid("view", "%q is not grid or table", view)
	}
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := searchData{base: s.base(r, "Search", "search"), Errors: map[string]string{}}
	d.Form = formValues(q)
	f, ferr := catalog.ParseFilters(q)
	view, verr := parseView(q)
	currency := f.Currency
	if currency == "" {
		currency = catalog.DefaultCurrency
	}
	c, cerr := parseCalc(q, currency)
	d.Filters, d.View, d.Calc = f, view, c
	d.ErrorList = uniqueFields(fieldErrors(errors.Join(ferr, verr, cerr)))
	d.Searched = f.Query != "" || f.CategoryID != 0
	status := http.StatusOK
	if len(d.ErrorList) == 0 && d.Searched && q.Get("shipping") != "load" && s.keptSearchPage(w, r, &d, f) {
		return
	}
	if len(d.ErrorList) == 0 && d.Searched {
		res, err := s.cat.Search(r.Context(), f)
		if err != nil {
			p := problemOf(err)
			s.logError(r, err, p)
			p.setRetryAfter(w.Header())
			status = p.Status
			if p.Code == catalog.EInvalid {
				d.ErrorList = fieldErrors(err)
			} else {
				d.Failure = &p
			}
		} else {
			d.Result = res
			if q.Get("shipping") == "load" {
				s.loadPending(r.Context(), d.Result.Products, f)
				d.Result.Revision = 0 // changed here
			}
			s.searchResults(w, r, &d, f, c)
			return
		}
	}
	if len(d.ErrorList) > 0 {
		status = http.StatusBadRequest
		d.Errors = fieldMap(d.ErrorList)
	}
	d.fillForm(s.searchCategories(r, f))
	d.titleFor(f)
	s.render(w, r, status, "search", &d)
}

// searchResults writes the page of d.Result, the answer to f: its content drawn once per query,
// result and viewer (see renderContent), the frame on every request.
func (s *Server) searchResults(w http.ResponseWriter, r *http.Request, d *searchData, f catalog.Filters, c calc) {
	d.titleFor(f)
	cats := s.searchCategories(r, f)
	key := s.searchContentKey(r, searchAnswerKey("", &d.Result), cats, &d.base)
	pc, ok := s.contents.get(key)
	if !ok {
		d.fillResults(s, f, c)
		d.fillPending(f, c)
		d.fillForm(cats)
		var err error
		if pc, err = s.drawContent("search", d); err != nil {
			s.renderFailed(w, "search", err)
			return
		}
		s.contents.put(key, pc)
	}
	s.renderContent(w, r, http.StatusOK, "search", d, pc)
}

// keptSearchPage writes the page of the search f when the catalog names the result it would give
// (see keptSearch) and the content drawn from that result is at hand, without asking for the
// result: a repeated page then copies no products. It reports whether it wrote the page.
func (s *Server) keptSearchPage(w http.ResponseWriter, r *http.Request, d *searchData, f catalog.Filters) bool {
	k, ok := s.cat.(keptAnswers)
	if !ok {
		return false
	}
	rev, ok := k.SearchRevision(f.Key())
	if !ok {
		return false
	}
	key := s.searchContentKey(r, searchRevisionKey("", rev), s.searchCategories(r, f), &d.base)
	pc, ok := s.contents.get(key)
	if !ok {
		return false
	}
	d.titleFor(f)
	s.renderContent(w, r, http.StatusOK, "search", d, pc)
	return true
}

// searchContentKey is the key of a search page's content: the query as typed, the result (its
// answer key, see searchAnswerKey), the category tree and what of the viewer the content shows.
func (s *Server) searchContentKey(r *http.Request, answerKey string, cats []catalog.Category, b *base) string {
	k := newDigest()
	k.str("search")
	k.str(r.URL.RawQuery)
	k.str(answerKey)
	k.str(s.catDigest.of(cats))
	k.viewer(b)
	return k.sum()
}

// titleFor names the page after the search.
func (d *searchData) titleFor(f catalog.Filters) {
	if f.Query != "" && d.Errors["q"] == "" {
		d.Title = f.Query + " – Search"
	}
}

// formValues returns the search and calculator fields as typed, with the defaults for absent ones.
func formValues(q url.Values) url.Values {
	def := catalog.DefaultFilters()
	defaults := map[string]string{
		"min_orders": strconv.Itoa(def.MinOrders), "ship_to": def.ShipTo, "currency": def.Currency,
		"language": def.Language, "sort": def.Sort,
	}
	form := url.Values{}
	for _, k := range filterFields {
		if q.Has(k) {
			form.Set(k, strings.TrimSpace(q.Get(k)))
		} else if v, ok := defaults[k]; ok {
			form.Set(k, v)
		}
	}
	if vs := q["in_stock"]; len(vs) > 0 { // a form sends a hidden false, then the checkbox
		form.Set("in_stock", strings.TrimSpace(vs[len(vs)-1]))
	} else {
		form.Set("in_stock", "true")
	}
	form.Set("ship_to", strings.ToUpper(form.Get("ship_to")))
	form.Set("currency", strings.ToUpper(form.Get("currency")))
	form.Set("language", strings.ToUpper(form.Get("language")))
	return form
}

// uniqueFields keeps the first error of each field: the calculator reads the shipping rule
// with the same parameters as the search.
func uniqueFields(errs []*catalog.Error) []*catalog.Error {
	seen := map[string]bool{}
	var out []*catalog.Error
	for _, e := range errs {
		if !seen[e.Field+"\x00"+e.Message] {
			seen[e.Field+"\x00"+e.Message] = true
			out = append(out, e)
		}
	}
	return out
}

// carried are the query parameters that a link from one page to another carries along: the
// destination, currency and language, the calculator and the shipping rule with the search's
// shipping filters, so that the product page, compare and export figure as the card did.
func carried(shipTo, currency, language string, c calc) url.Values {
	keep := productSettings(shipTo, currency, language)
	for k, v := range c.Values() {
		keep[k] = v
	}
	return keep
}

// fillResults lays out a successful search.
func (d *searchData) fillResults(s *Server, f catalog.Filters, c calc) {
	res := &d.Result
	d.Stale, d.StaleReason = res.Stale, res.StaleReason
	keep := carried(f.ShipTo, f.Currency, f.Language, c)
	d.Keep = keep
	for i := range res.Products {
		p := &res.Products[i]
		it := item{P: p, Title: titleOf(p), Q: c.quoteProduct(p), Detail: withQuery("/products/"+strconv.FormatInt(p.ID, 10), keep)}
		if it.Q.Hidden {
			d.Hidden++
		}
		d.NoImport = d.NoImport || it.Q.NoImport
		d.Items = append(d.Items, it)
		if !p.FetchedAt.IsZero() && (d.FetchedAt.IsZero() || p.FetchedAt.Before(d.FetchedAt)) {
			d.FetchedAt = p.FetchedAt
		}
		d.Stale = d.Stale || p.Stale
	}
	d.SkipToResults = len(d.Items) > 0
	switch {
	case res.Total == 0 && len(res.Products) == 0:
		d.TotalText = "No products"
	case res.TotalIsEstimate:
		d.TotalText = "About " + formatInt(res.Total) + " products"
	case res.Total == 1:
		d.TotalText = "1 product"
	default:
		d.TotalText = formatInt(res.Total) + " products"
	}
	if res.LastPage > 0 && res.Served < res.Total && res.Served > 0 {
		d.ScanNote = "The pages hold the first " + formatInt(res.Served) + " of them: aliscout applies this search's filters and sort over the products it can scan."
	}
	var notes []string
	if res.PastEnd {
		notes = append(notes, "There is no page "+strconv.Itoa(f.Page)+" of this search; this is its last page, "+strconv.Itoa(res.Page)+".")
	}
	if res.SoldOutHidden == 1 {
		notes = append(notes, "1 sold-out product was left out of this page (untick “In stock only” to see it).")
	} else if res.SoldOutHidden > 1 {
		notes = append(notes, strconv.Itoa(res.SoldOutHidden)+" sold-out products were left out of this page (untick “In stock only” to see them).")
	}
	d.PageNote = strings.Join(notes, " ")
	page := res.Page
	if page < 1 {
		page = f.Page
	}
	link := func(n int) string {
		g := f
		g.Page = n
		v := g.Values()
		for k, vs := range c.Values() {
			v[k] = vs
		}
		if d.View == "table" {
			v.Set("view", "table")
		}
		return withQuery("/search", v)
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if res.More {
		d.Next = link(page + 1)
	}
	// The pager offers the pages known to exist: up to the last one when the end is known,
	// else up to the next one.
	pages := min(res.Pages(), catalog.MaxPage)
	if res.LastPage > 0 {
		d.PageCount = "page " + strconv.Itoa(page) + " of " + strconv.Itoa(res.LastPage)
	} else {
		d.PageCount = "page " + strconv.Itoa(page)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			d.Pages = append(d.Pages, pageLink{Gap: true})
		}
		d.Pages = append(d.Pages, pageLink{N: n, URL: link(n), Current: n == page})
		last = n
	}
	v := f.Values()
	v.Del("page")
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	for k, vs := range c.Values() {
		v[k] = vs
	}
	d.sortBase = url.Values{}
	for k, vs := range v {
		d.sortBase[k] = vs
	}
	d.GridURL = withQuery("/search", v)
	v.Set("view", "table")
	d.TableURL = withQuery("/search", v)
}

// sortHeader is a column header of the results table that sorts the whole search on the server:
// its link, and its aria-sort when the search is sorted by it.
type sortHeader struct {
	URL     string
	AriaSet bool
	Aria    string // "ascending" or "descending"
}

// SortBy links the table's column header to the search sorted by its column: asc and desc are
// the column's two sorts (desc "" when it has one), the first click sorting by first. A column
// already sorted one way links to the other.
func (d searchData) SortBy(first, other string) sortHeader {
	h := sortHeader{}
	target := first
	switch d.Filters.Sort {
	case first:
		h.AriaSet, h.Aria = true, sortDirection(first)
		if other != "" {
			target = other
		}
	case other:
		h.AriaSet, h.Aria = true, sortDirection(other)
	}
	v := url.Values{}
	for k, vs := range d.sortBase {
		v[k] = vs
	}
	v.Set("sort", target)
	v.Del("page")
	v.Set("view", "table")
	h.URL = withQuery("/search", v)
	return h
}

// sortDirection says which way a sort orders its column's figures.
func sortDirection(sort string) string {
	switch sort {
	case catalog.SortPriceAsc, catalog.SortOrdersAsc, catalog.SortDelivery:
		return "ascending"
	}
	return "descending"
}

// searchCategories returns the category tree the search form offers, in f's language; nil when
// it cannot be had (the form then offers all categories only).
func (s *Server) searchCategories(r *http.Request, f catalog.Filters) []catalog.Category {
	lang := f.Language
	if lang == "" {
		lang = catalog.DefaultLanguage
	}
	cats, err := s.cat.Categories(r.Context(), lang)
	if err != nil {
		s.log.Warn("categories for the search form", "err", err)
	}
	return cats
}

// fillForm fills the selects of the search form, cats the category tree.
func (d *searchData) fillForm(cats []catalog.Category) {
	d.Categories = categoryOptions(cats, d.Form.Get("category"))
	d.Countries = countryOptions(d.Form.Get("ship_to"))
	d.Currencies = listOptions(catalog.Currencies(), d.Form.Get("currency"))
	d.Languages = listOptions(catalog.Languages(), d.Form.Get("language"))
	for _, so := range catalog.Sorts() {
		d.Sorts = append(d.Sorts, option{Value: so, Label: sortLabels[so], Selected: so == d.Form.Get("sort")})
	}
	for _, e := range exampleQueries {
		d.Examples = append(d.Examples, option{Value: "/search?q=" + url.QueryEscape(e), Label: e})
	}
}

// categoryOptions lays the category tree out for a select: each top-level category followed by
// its children, indented.
func categoryOptions(cats []catalog.Category, selected string) []option {
	out := []option{{Value: "", Label: "All categories", Selected: selected == "" || selected == "0"}}
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	children := map[int64][]catalog.Category{}
	var tops []catalog.Category
	for _, c := range cats {
		if c.ParentID == 0 || !known[c.ParentID] || c.ParentID == c.ID {
			tops = append(tops, c)
		} else {
			children[c.ParentID] = append(children[c.ParentID], c)
		}
	}
	add := func(c catalog.Category, label string) {
		id := strconv.FormatInt(c.ID, 10)
		out = append(out, option{Value: id, Label: label, Selected: id == selected})
	}
	for _, t := range tops {
		add(t, cleanText(t.Name))
		for _, c := range children[t.ID] {
			add(c, "\u00a0\u00a0\u00a0\u00a0"+cleanText(c.Name))
		}
	}
	return out
}

// countryOptions lists the common destinations, plus selected when it is another valid code.
func countryOptions(selected string) []option {
	var out []option
	found := false
	for _, c := range countries {
		out = append(out, option{Value: c.Code, Label: c.Name + " (" + c.Code + ")", Selected: c.Code == selected})
		found = found || c.Code == selected
	}
	if !found && len(selected) == 2 {
		out = append(out, option{Value: selected, Label: selected, Selected: true})
	}
	return out
}

func listOptions(list []string, selected string) []option {
	out := make([]option, 0, len(list))
	for _, v := range list {
		out = append(out, option{Value: v, Label: v, Selected: v == selected})
	}
	return out
}

// productSettings are the query parameters that carry a destination, currency and language from
// page to page; defaults are left out.
func productSettings(shipTo, currency, language string) url.Values {
	v := url.Values{}
	if shipTo != "" && shipTo != catalog.DefaultShipTo {
		v.Set("ship_to", shipTo)
	}
	if currency != "" && currency != catalog.DefaultCurrency {
		v.Set("currency", currency)
	}
	if language != "" && language != catalog.DefaultLanguage {
		v.Set("language", language)
	}
	return v
}

// formatInt writes n with thousands separators.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// SearchJSON is the answer of GET /api/search, and of `aliscout search --json`.
type SearchJSON struct {
	Products        []ProductJSON `json:"products"`
	Total           int           `json:"total"`
	Page            int           `json:"page"`
	Stale           bool          `json:"stale"`
	PageSize        int           `json:"page_size"`
	Pages           int           `json:"pages"`
	TotalIsEstimate bool          `json:"total_is_estimate"`
	// HasNext says there is a page after this one; LastPage is the last page, 0 while it is
	// not known.
	HasNext  bool `json:"has_next"`
	LastPage int  `json:"last_page"`
	// RequestedPage is the page asked for when it was past the end: Page is then the last page.
	RequestedPage int    `json:"requested_page,omitempty"`
	Note          string `json:"note,omitempty"`
	// SoldOutHidden is how many sold-out products this page left out (in_stock).
	SoldOutHidden int        `json:"sold_out_hidden"`
	StaleReason   string     `json:"stale_reason,omitempty"`
	FetchedAt     *time.Time `json:"fetched_at,omitempty"`
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	f, err := catalog.ParseFilters(r.URL.Query())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	// A repeated search of cached data is answered with the bytes encoded the first time, and
	// when the catalog names the result it would give, without asking for that result.
	query := f.Key()
	if ans, ok := s.keptSearch(s.cat, query); ok {
		writeEncoded(w, r, ans)
		return
	}
	res, err := s.cat.Search(r.Context(), f)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	key := searchAnswerKey(query, &res)
	ans, ok := s.answers.get(key)
	if !ok {
		if ans, err = encodeAnswer(key, searchJSON(f, &res, s.san)); err != nil {
			s.failErr(w, r, err)
			return
		}
		s.answers.put(ans.key, ans)
	}
	writeEncoded(w, r, ans)
}

// NewSearchJSON is res, the answer to f, as the JSON API writes it, descriptions sanitized with
// the default image policy.
func NewSearchJSON(f catalog.Filters, res *catalog.SearchResult) SearchJSON {
	return searchJSON(f, res, sanitize.Options{})
}

// searchJSON is res for the JSON API with san's description image policy.
func searchJSON(f catalog.Filters, res *catalog.SearchResult, san sanitize.Options) SearchJSON {
	out := SearchJSON{Products: make([]ProductJSON, 0, len(res.Products)), Total: res.Total, Page: res.Page,
		Stale: res.Stale, PageSize: res.PageSize, Pages: res.Pages(), TotalIsEstimate: res.TotalIsEstimate,
		HasNext: res.More, LastPage: res.LastPage, SoldOutHidden: res.SoldOutHidden, StaleReason: res.StaleReason}
	if out.Page == 0 {
		out.Page = f.Page
	}
	if res.PastEnd {
		out.RequestedPage = f.Page
		out.Note = fmt.Sprintf("page %d is past the end of this search; this is its last page, %d", f.Page, res.Page)
	}
	for i := range res.Products {
		p := &res.Products[i]
		out.Products = append(out.Products, productJSON(p, san))
		out.Stale = out.Stale || p.Stale
		if !p.FetchedAt.IsZero() && (out.FetchedAt == nil || p.FetchedAt.Before(*out.FetchedAt)) {
			t := p.FetchedAt.UTC()
			out.FetchedAt = &t
		}
	}
	return out
}
