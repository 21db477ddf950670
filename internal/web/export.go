package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/export"
	"github.com/aliscout/aliscout/internal/pricing"
)

// exportFormats are the formats of POST /api/export with their file extension and content type.
var exportFormats = map[string]struct{ ext, contentType string }{
	export.FormatShopify:     {"csv", "text/csv; charset=utf-8"},
	export.FormatWooCommerce: {"csv", "text/csv; charset=utf-8"},
	export.FormatJSON:        {"json", "application/json; charset=utf-8"},
}

// exportRequest is a parsed export (POST /export from a page, POST /api/export from a script).
type exportRequest struct {
	format    string
	ids       []int64
	opts      catalog.ProductOptions
	rule      *pricing.Rule // nil when sell prices every variant
	sell      catalog.Money
	ship      catalog.ShipRule
	inStock   bool             // leave out sold-out products
	shipsFrom map[int64]string // the warehouse chosen per product ("Ships From" value)
	price     export.PriceFunc // prices instead of rule and sell when set (a list's items each have their rule)
}

// exportJSON is the JSON body of POST /api/export. IDs may be numbers or strings of digits;
// ships_from maps a product ID to the "Ships From" value (warehouse) to sell it from.
type exportJSON struct {
	Format          string            `json:"format"`
	IDs             []json.Number     `json:"ids"`
	ShipTo          string            `json:"ship_to"`
	Currency        string            `json:"currency"`
	Language        string            `json:"language"`
	Rule            string            `json:"rule"`
	Sell            string            `json:"sell"`
	ShipRule        string            `json:"ship_rule"`
	FreeShipping    *bool             `json:"free_shipping"`
	MaxDeliveryDays int               `json:"max_delivery_days"`
	InStock         *bool             `json:"in_stock"`
	ShipsFrom       map[string]string `json:"ships_from"`
}

// exportValues reads the fields of an export from a JSON body, or from a form body and the query
// string (so that a script may also send them in the URL).
func exportValues(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseMultipartForm(maxFormBytes); err != nil && err != http.ErrNotMultipart {
			return nil, invalid("body", "the form could not be read (at most %d KB)", maxFormBytes>>10)
		}
		return r.Form, nil
	}
	var body exportJSON
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return nil, invalid("body", "the body is not JSON of the form {\"format\": \"shopify\", \"ids\": [1005006123456789], \"rule\": \"x2.5 .99\"}: %s",
			strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("body", "there is more after the JSON value")
	}
	v := url.Values{}
	for k, s := range map[string]string{"format": body.Format, "ship_to": body.ShipTo, "currency": body.Currency,
		"language": body.Language, "rule": body.Rule, "sell": body.Sell, "ship_rule": body.ShipRule} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if body.FreeShipping != nil {
		v.Set("free_shipping", strconv.FormatBool(*body.FreeShipping))
	}
	if body.MaxDeliveryDays != 0 {
		v.Set("max_delivery_days", strconv.Itoa(body.MaxDeliveryDays))
	}
	if body.InStock != nil {
		v.Set("in_stock", strconv.FormatBool(*body.InStock))
	}
	for id, wh := range body.ShipsFrom {
		v.Set("ships_from_"+id, wh)
	}
	for _, id := range body.IDs {
		v.Add("ids", id.String())
	}
	return v, nil
}

func (s *Server) parseExport(q url.Values) (exportRequest, error) {
	var x exportRequest
	var errs []error
	x.format = strings.ToLower(strings.TrimSpace(q.Get("format")))
	if _, ok := exportFormats[x.format]; !ok {
		errs = append(errs, invalid("format", "%q is not shopify, woocommerce or json", q.Get("format")))
	}
	ids, err := parseIDs(q, "ids", s.cfg.MaxExport)
	if err == nil && len(ids) == 0 {
		err = invalid("ids", "choose at least one product to export")
	}
	errs = append(errs, err)
	x.ids = ids
	opts, err := parseProductOptions(q, "ship_to")
	errs = append(errs, err)
	x.opts = opts
	if sell := strings.TrimSpace(q.Get("sell")); sell != "" && err == nil {
		// A selling price, as in the calculator, wins over the rule.
		m, serr := parseAmount("sell", sell, opts.Currency)
		if serr == nil && m.Amount <= 0 {
			serr = invalid("sell", "the selling price must be above zero")
		}
		errs = append(errs, serr)
		x.sell = m
	} else {
		ruleText := strings.TrimSpace(q.Get("rule"))
		if ruleText == "" {
			ruleText = DefaultRule
		}
		if terr := catalog.ValidText("rule", ruleText); terr != nil {
			errs = append(errs, terr)
		} else if err == nil {
			rule, err := pricing.ParseRule(ruleText, opts.Currency)
			if err != nil {
				errs = append(errs, invalid("rule", "%s", pricingProblem(err)))
			}
			x.rule = &rule
		}
	}
	sub := url.Values{}
	for _, k := range append(slices.Clone(shipFields), "in_stock") {
		if vs, ok := q[k]; ok {
			sub[k] = vs
		}
	}
	f, err := catalog.ParseFilters(sub)
	errs = append(errs, err)
	x.ship, x.inStock = f.Shipping(), f.InStock
	x.shipsFrom = map[int64]string{}
	for k, vs := range q {
		idText, ok := strings.CutPrefix(k, "ships_from_")
		if !ok || len(vs) == 0 {
			continue
		}
		id, err := parseID(k, idText)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if wh := strings.TrimSpace(vs[len(vs)-1]); wh != "" {
			if err := catalog.ValidText(k, wh); err != nil {
				errs = append(errs, err)
				continue
			}
			x.shipsFrom[id] = wh
		}
	}
	return x, errors.Join(errs...)
}

// priceFunc prices each exported variant as the calculator did: at the selling price when one
// was given, else with the rule on the item price or, for a "landed" rule, on the item plus the
// shipping the shipping rule chooses and the import charges.
func priceFunc(x exportRequest) export.PriceFunc {
	if x.price != nil {
		return x.price
	}
	return func(p *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
		if x.rule == nil {
			return x.sell, catalog.Money{}, nil
		}
		cost := v.Price
		if x.rule.IncludeShipping {
			ship, ok := x.ship.Choose(p.ShippingFor(v))
			if !ok {
				return catalog.Money{}, catalog.Money{}, fmt.Errorf("no shipping to %s by %s for a landed-cost rule", p.ShipTo, x.ship.Label())
			}
			lc, err := pricing.Landed(*v, ship, 1)
			if err != nil {
				return catalog.Money{}, catalog.Money{}, err
			}
			cost = lc.Total
		}
		return x.rule.Apply(cost)
	}
}

// apiExportGet answers GET /api/export, which used to make exports: a link or an <img> on any
// site could make a visitor's browser spend the operator's quota on up to MaxExport products.
func (s *Server) apiExportGet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	s.fail(w, r, problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Message: "Exports are made with POST /api/export, with the fields format, ids, ship_to, currency, language, " +
			"rule (or sell), ship_rule, in_stock and ships_from_<id> as a form or a JSON body " +
			"(e.g. {\"format\": \"shopify\", \"ids\": [1005006123456789]}). " +
			"GET is refused so that no other site can make a browser spend the AliExpress quota."})
}

// exportBatch is what an export writes: the products, each from one warehouse, and a note per
// product it leaves out or writes with a caveat.
type exportBatch struct {
	products []*catalog.Product
	notes    []string
	failed   error // the first product that could not be had, when none can be written
}

// gather fetches the products of x and decides what the file holds. A product that cannot be had
// (delisted, AliExpress failing) is left out with a note; a sold-out one is left out with a note
// when x.inStock, else written (inventory 0) with a note. A product that ships from several
// warehouses is written from the one chosen, or the one the shipping rule prefers, without the
// "Ships From" option. An unknown warehouse is bad input naming its field.
func (s *Server) gather(r *http.Request, x exportRequest) (exportBatch, error) {
	var b exportBatch
	for _, f := range s.catalogFor(r).Products(r.Context(), x.ids, x.opts) {
		if f.Err != nil {
			p := problemOf(f.Err)
			s.logError(r, f.Err, p)
			if b.failed == nil {
				b.failed = f.Err
			}
			if p.Code == catalog.ENotFound {
				b.notes = append(b.notes, fmt.Sprintf("product %d left out: not (or no longer) listed on AliExpress", f.ID))
			} else {
				b.notes = append(b.notes, fmt.Sprintf("product %d left out: %s", f.ID, p.Message))
			}
			continue
		}
		p := f.Product
		if p.WarehouseOption() >= 0 {
			field := "ships_from_" + strconv.FormatInt(p.ID, 10)
			wh, chosen := x.shipsFrom[p.ID]
			if !chosen {
				wh = p.Warehouse(x.ship)
			}
			one, err := p.FromWarehouse(field, wh)
			if err != nil {
				return b, err
			}
			if !chosen {
				b.notes = append(b.notes, fmt.Sprintf("product %d ships from %s", p.ID, wh))
			}
			p = one
		}
		if p.SoldOut() {
			if x.inStock {
				b.notes = append(b.notes, fmt.Sprintf("product %d left out: sold out (send in_stock=false to export it with inventory 0)", p.ID))
				continue
			}
			b.notes = append(b.notes, fmt.Sprintf("product %d exported sold out: inventory 0", p.ID))
		}
		b.products = append(b.products, &p)
	}
	if len(b.products) == 0 {
		if b.failed != nil {
			pr := problemOf(b.failed)
			return b, &catalog.Error{Code: pr.Code, Message: "Nothing to export: " + strings.Join(b.notes, "; ") + ".", Err: b.failed}
		}
		return b, invalid("in_stock", "every product chosen is sold out: %s", strings.Join(b.notes, "; "))
	}
	return b, nil
}

// apiExport streams the chosen products as a store file download, for scripts: bad input is a
// JSON error naming the field. Products that cannot be had or are sold out are left out, as
// X-Aliscout-Notes says (see gather); only when none is left is the export an error.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	q, err := exportValues(w, r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	x, err := s.parseExport(q)
	if err == nil {
		var b exportBatch
		if b, err = s.gather(r, x); err == nil {
			s.writeExport(w, r, x, b)
			return
		}
	}
	s.failErr(w, r, err)
}

// exportPage is POST /export, the export forms of the pages: the same fields as POST
// /api/export, but bad input comes back as the import page, with what was looked up, naming the
// field to fix.
func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) {
	q, err := exportValues(w, r)
	var x exportRequest
	if err == nil {
		x, err = s.parseExport(q)
	}
	if err == nil {
		var b exportBatch
		if b, err = s.gather(r, x); err == nil {
			s.writeExport(w, r, x, b)
			return
		}
	}
	if len(fieldErrors(err)) == 0 {
		pr := problemOf(err)
		s.logError(r, err, pr)
		s.fail(w, r, pr)
		return
	}
	s.importAgain(w, r, q, err)
}

// writeExport streams b as x.format. Every product was fetched first, so that nothing fails
// half-way; a product the writer refuses is left out and named in the X-Aliscout-Skipped
// trailer and the log. The headers say how many products the file holds and which were left out
// or written with a caveat; the trailers carry the file's check and the texts changed to keep
// it safe.
func (s *Server) writeExport(w http.ResponseWriter, r *http.Request, x exportRequest, b exportBatch) {
	fmtInfo := exportFormats[x.format]
	name := fmt.Sprintf("aliscout-%s-%s.%s", x.format, s.now().UTC().Format("20060102"), fmtInfo.ext)
	h := w.Header()
	h.Set("Content-Type", fmtInfo.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Aliscout-Exported", strconv.Itoa(len(b.products)))
	if len(b.notes) > 0 {
		h.Set("X-Aliscout-Notes", headerText(strings.Join(b.notes, "; ")))
	}
	h.Set("Trailer", "X-Aliscout-Skipped, X-Aliscout-Validation, X-Aliscout-Changes")
	// The file is checked by the export package's validator as it streams to the client.
	checker, err := export.NewChecker(x.format, w)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	ew, err := export.New(x.format, checker, export.Options{Price: priceFunc(x), Sanitizer: s.san, Changed: checker.Record})
	if err != nil {
		_ = checker.Close()
		s.failErr(w, r, err)
		return
	}
	var skipped []string
	for _, p := range b.products {
		if err := ew.Write(p); err != nil {
			var pe *export.ProductError
			if errors.As(err, &pe) {
				s.log.Warn("export: product left out", "id", p.ID, "format", x.format, "err", err)
				skipped = append(skipped, strconv.FormatInt(p.ID, 10))
				continue
			}
			s.log.Error("export: write", "format", x.format, "err", err)
			_ = checker.Close()
			return
		}
	}
	if err := ew.Close(); err != nil {
		s.log.Error("export: close", "format", x.format, "err", err)
		_ = checker.Close()
		return
	}
	verdict := "ok"
	if err := checker.Close(); err != nil {
		var ve *export.ValidationError
		if !errors.As(err, &ve) {
			s.log.Warn("export: stream", "format", x.format, "err", err)
			return
		}
		s.log.Error("export: the file failed its check", "format", x.format, "err", err)
		verdict = strings.Join(strings.Fields(err.Error()), " ")
	}
	var changes []string
	for i, c := range checker.Changes() {
		if i == 50 {
			changes = append(changes, fmt.Sprintf("and %d more", len(checker.Changes())-50))
			break
		}
		changes = append(changes, c.String())
	}
	h.Set("X-Aliscout-Skipped", strings.Join(skipped, ","))
	h.Set("X-Aliscout-Validation", headerText(verdict))
	h.Set("X-Aliscout-Changes", headerText(strings.Join(changes, "; ")))
}

// headerText makes s fit a header value: printable ASCII, anything else as '?'.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}
