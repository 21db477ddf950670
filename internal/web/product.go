package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// parseID reads a product ID from a path or query value; field names it in the error. An ID
// AliExpress cannot have issued is refused here, before it costs an upstream call (whose answer
// would not name the field).
func parseID(field, s string) (int64, error) {
	s = strings.TrimSpace(s)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !catalog.IsProductID(id) {
		if len(s) > 40 {
			s = strings.ToValidUTF8(s[:40], "") + "…"
		}
		return 0, invalid(field, "%q is not a product ID (AliExpress's have 8 to 16 digits, such as 1005006123456789)", s)
	}
	return id, nil
}

// parseProductOptions reads ship_to (or shipTo's name), currency and language the way a search
// reads them, with the same defaults and the same errors.
func parseProductOptions(q url.Values, shipToField string) (catalog.ProductOptions, error) {
	v := url.Values{}
	if s := q.Get(shipToField); s != "" {
		v.Set("ship_to", s)
	}
	for _, k := range []string{"currency", "language"} {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	f, err := catalog.ParseFilters(v)
	if err != nil && shipToField != "ship_to" {
		for _, e := range fieldErrors(err) {
			if e.Field == "ship_to" {
				e.Field = shipToField
			}
		}
	}
	return catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language}, err
}

// variantRow is one row of the product page's variants table.
type variantRow struct {
	V       catalog.Variant
	Values  []string
	Image   string
	SoldOut bool
	Q       quote
}

// productData is the product page.
type productData struct {
	base
	P           *catalog.Product
	PTitle      string
	Opts        catalog.ProductOptions
	Calc        calc
	Errors      map[string]string
	Main        string
	Gallery     []string
	Options     []string // the option names, the variants table's first columns
	Variants    []variantRow
	Headline    quote
	ShipNote    string // why the shipping shown is not fresh or empty
	Countries   []option
	Currencies  []option
	Languages   []option
	Description template.HTML
	SourceNote  string
	ConnectDS   bool // say how the operator connects a dropshipping account (aliscout auth), when users cannot
	Keep        url.Values
	Back        string
	Hidden      int // variants below the minimum margin
	Stock       string
	Rules       []option // the shipping rule choices: the usual ones and the product's services
}

func (s *Server) productPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, err := parseID("id", r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	opts, err := parseProductOptions(q, "ship_to")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	c, err := parseCalc(q, opts.Currency)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	r = withRequestCatalog(r) // the product and its shipping through one catalog
	p, err := s.catalogFor(r).Product(r.Context(), id, opts)
	if err != nil {
		pr := problemOf(err)
		if pr.Code == catalog.ENotFound {
			pr.Message = fmt.Sprintf("Product %d is not (or no longer) listed on AliExpress. It may have been removed by the seller, or the link may be wrong.", id)
		}
		s.logError(r, err, pr)
		s.fail(w, r, pr)
		return
	}
	d := productData{base: s.base(r, titleOf(&p), ""), P: &p, PTitle: titleOf(&p), Opts: opts, Calc: c}
	d.fillShipping(s, r, id, opts)
	d.Stale = p.Stale
	d.FetchedAt = p.FetchedAt
	// The content is drawn once per product data, query and viewer (see renderContent).
	k := newDigest()
	k.str("product")
	k.str(s.catalogViewer(r))
	k.str(r.URL.Path)
	k.str(r.URL.RawQuery)
	k.product(&p)
	k.str(d.ShipNote)
	k.viewer(&d.base)
	key := k.sum()
	pc, ok := s.contents.get(key)
	if !ok {
		d.fill(s.page)
		if s.connections() {
			d.ConnectDS = false // users connect their own accounts: the connect_ds_note says how
		}
		if pc, err = s.drawContent("product", &d); err != nil {
			s.renderFailed(w, "product", err)
			return
		}
		s.contents.put(key, pc)
	}
	s.renderContent(w, r, http.StatusOK, "product", &d, pc)
}

// fillShipping asks for the shipping options to the chosen country. When that fails, the page
// keeps the product's own options and says why.
func (d *productData) fillShipping(s *Server, r *http.Request, id int64, opts catalog.ProductOptions) {
	p := d.P
	sq, err := s.catalogFor(r).Shipping(r.Context(), id, opts)
	switch {
	case err == nil:
		p.Shipping, p.ShipTo = sq.Options, sq.ShipTo
		if p.ShipTo == "" {
			p.ShipTo = opts.ShipTo
		}
		p.Stale = p.Stale || sq.Stale
	case catalog.ErrorCode(err) == catalog.ENotShipped:
		p.Shipping, p.ShipTo = nil, opts.ShipTo
	default:
		pr := problemOf(err)
		s.logError(r, err, pr)
		d.ShipNote = "Could not refresh the shipping options: " + pr.Message
	}
	if len(p.Shipping) == 0 && d.ShipNote == "" {
		d.ShipNote = "This product does not ship to " + countryName(p.ShipTo) + "."
	}
}

// fill lays out the product with san's image policy for its pictures and description.
func (d *productData) fill(san sanitize.Options) {
	p := d.P
	seen := map[string]bool{}
	addImage := func(u string) {
		if u = san.Image(u); u != "" && !seen[u] {
			seen[u] = true
			d.Gallery = append(d.Gallery, u)
		}
	}
	for _, img := range p.Images {
		addImage(img)
	}
	for _, v := range p.Variants {
		addImage(v.Image)
	}
	if len(d.Gallery) > 0 {
		d.Main = d.Gallery[0]
	}
	for _, o := range p.Options {
		d.Options = append(d.Options, cleanText(o.Name))
	}
	for _, v := range p.Variants {
		row := variantRow{V: v, Image: san.Image(v.Image), SoldOut: v.Stock == 0, Q: d.Calc.quoteVariant(v, p.ShippingFor(&v), p.ShipTo)}
		if row.Q.Hidden {
			d.Hidden++
		}
		for i := range d.Options {
			val := ""
			if i < len(v.Values) {
				val = cleanText(v.Values[i])
			}
			row.Values = append(row.Values, val)
		}
		d.Variants = append(d.Variants, row)
	}
	d.Headline = d.Calc.quoteProduct(p)
	var services []catalog.ShippingOption
	services = append(services, p.Shipping...)
	for _, v := range p.Variants {
		services = append(services, v.Shipping...)
	}
	d.Rules = d.Calc.ShipRules(services)
	switch n, known := p.Stock(); {
	case p.SoldOut():
		d.Stock = "Sold out: every variant"
	case known:
		d.Stock = formatInt(n) + " units over " + strconv.Itoa(len(p.Variants)) + " variant(s)"
	}
	d.Countries = countryOptions(d.Opts.ShipTo)
	d.Currencies = listOptions(catalog.Currencies(), d.Opts.Currency)
	d.Languages = listOptions(catalog.Languages(), d.Opts.Language)
	d.Description = template.HTML(san.HTML(p.DescriptionHTML)) // sanitized: the one template.HTML the package makes
	switch p.Source {
	case catalog.SourceDS:
		d.SourceNote = "Variants and shipping from the Dropshipping API."
	default:
		d.SourceNote = "Product-level data from the Affiliate API: one price range, no per-variant stock."
		d.ConnectDS = true
	}
	d.Keep = carried(d.Opts.ShipTo, d.Opts.Currency, d.Opts.Language, d.Calc)
}

// UseService is the product page with the shipping rule set to the service code: the link of a
// row of the shipping table.
func (d productData) UseService(code string) string {
	v := url.Values{}
	for k, vs := range d.Keep {
		v[k] = vs
	}
	v.Set("ship_rule", catalog.ShipService+":"+code)
	return withQuery("/products/"+strconv.FormatInt(d.P.ID, 10), v)
}

// shippingJSONOut is the answer of GET /api/products/{id}/shipping.
type shippingQuoteJSON struct {
	ProductID int64          `json:"product_id"`
	ShipTo    string         `json:"ship_to"`
	Options   []shippingJSON `json:"options"`
	Source    string         `json:"source"`
	Stale     bool           `json:"stale"`
	FetchedAt time.Time      `json:"fetched_at"`
}

func (s *Server) apiProduct(w http.ResponseWriter, r *http.Request) {
	id, err := parseID("id", r.PathValue("id"))
	if err == nil {
		var opts catalog.ProductOptions
		if opts, err = parseProductOptions(r.URL.Query(), "ship_to"); err == nil {
			// A repeated read of cached data is answered with the bytes encoded the first time,
			// and when the catalog names the product it would give, without asking for it.
			cat, viewer, query := s.catalogFor(r), s.catalogViewer(r), r.URL.Query().Encode()
			if ans, ok := s.keptProduct(cat, viewer, query, id, opts); ok {
				writeEncoded(w, r, ans)
				return
			}
			var p catalog.Product
			if p, err = cat.Product(r.Context(), id, opts); err == nil {
				key := productAnswerKey(viewer, query, &p)
				ans, ok := s.answers.get(key)
				if !ok {
					if ans, err = encodeAnswer(key, productJSON(&p, s.san)); err != nil {
						s.failErr(w, r, err)
						return
					}
					s.answers.put(ans.key, ans)
				}
				writeEncoded(w, r, ans)
				return
			}
		}
	}
	s.failErr(w, r, err)
}

func (s *Server) apiShipping(w http.ResponseWriter, r *http.Request) {
	id, err := parseID("id", r.PathValue("id"))
	if err == nil {
		var opts catalog.ProductOptions
		if opts, err = parseProductOptions(r.URL.Query(), "country"); err == nil {
			var sq catalog.ShippingQuote
			if sq, err = s.catalogFor(r).Shipping(r.Context(), id, opts); err == nil {
				if sq.ProductID == 0 {
					sq.ProductID = id
				}
				if sq.ShipTo == "" {
					sq.ShipTo = opts.ShipTo
				}
				writeJSON(w, http.StatusOK, shippingQuoteJSON{ProductID: sq.ProductID, ShipTo: sq.ShipTo,
					Options: shippingOut(sq.Options), Source: string(sq.Source), Stale: sq.Stale, FetchedAt: sq.FetchedAt.UTC()})
				return
			}
		}
	}
	s.failErr(w, r, err)
}
