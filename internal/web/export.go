package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
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

// exportRequest is a parsed POST /api/export.
type exportRequest struct {
	format string
	ids    []int64
	opts   catalog.ProductOptions
	rule   pricing.Rule
	price  export.PriceFunc // prices instead of rule when set (a list's items each have their rule)
}

// priceFunc is how x prices each variant.
func (x exportRequest) priceFunc() export.PriceFunc {
	if x.price != nil {
		return x.price
	}
	return priceFunc(x.rule)
}

// exportJSON is the JSON body of POST /api/export. IDs may be numbers or strings of digits.
type exportJSON struct {
	Format   string        `json:"format"`
	IDs      []json.Number `json:"ids"`
	ShipTo   string        `json:"ship_to"`
	Currency string        `json:"currency"`
	Language string        `json:"language"`
	Rule     string        `json:"rule"`
}

// exportValues reads the fields of POST /api/export from a JSON body, or from a form body and the
// query string (so that a script may also send them in the URL).
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
		"language": body.Language, "rule": body.Rule} {
		if s != "" {
			v.Set(k, s)
		}
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
		x.rule = rule
	}
	return x, errors.Join(errs...)
}

// priceFunc prices each exported variant with rule, on the item price or, for a "landed" rule, on
// the item plus the cheapest shipping to the product's destination and the import charges.
func priceFunc(rule pricing.Rule) export.PriceFunc {
	return func(p *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
		cost := v.Price
		if rule.IncludeShipping {
			ship, ok := (&catalog.Product{Shipping: p.ShippingFor(v)}).Cheapest()
			if !ok {
				return catalog.Money{}, catalog.Money{}, fmt.Errorf("no shipping to %s for a landed-cost rule", p.ShipTo)
			}
			lc, err := pricing.Landed(*v, ship, 1)
			if err != nil {
				return catalog.Money{}, catalog.Money{}, err
			}
			cost = lc.Total
		}
		return rule.Apply(cost)
	}
}

// apiExportGet answers GET /api/export, which used to make exports: a link or an <img> on any
// site could make a visitor's browser spend the operator's quota on up to MaxExport products.
func (s *Server) apiExportGet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	s.fail(w, r, problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Message: "Exports are made with POST /api/export, with the fields format, ids, ship_to, currency, language " +
			"and rule as a form or a JSON body (e.g. {\"format\": \"shopify\", \"ids\": [1005006123456789]}). " +
			"GET is refused so that no other site can make a browser spend the AliExpress quota."})
}

// apiExport streams the chosen products as a store file download. Every product is fetched first,
// so that a product that cannot be fetched fails the request with a clear error rather than
// leaving a half-written file; a product the writer refuses is left out and named in the
// X-Aliscout-Skipped trailer and the log.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	q, err := exportValues(w, r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	x, err := s.parseExport(q)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	products := s.cat.Products(r.Context(), x.ids, x.opts)
	for _, f := range products {
		if f.Err != nil {
			p := problemOf(f.Err)
			s.logError(r, f.Err, p)
			p.Message = fmt.Sprintf("product %d: %s", f.ID, p.Message)
			if p.Code == catalog.ENotFound {
				p.Message = fmt.Sprintf("product %d is not (or no longer) listed on AliExpress; leave it out and export again", f.ID)
			}
			s.fail(w, r, p)
			return
		}
	}
	s.streamExport(w, r, x, products)
}

// streamExport writes products as x's format, a download, checked by the export package's
// validator as it streams. A product the writer refuses is left out and named in the
// X-Aliscout-Skipped trailer and the log.
func (s *Server) streamExport(w http.ResponseWriter, r *http.Request, x exportRequest, products []catalog.Found) {
	fmtInfo := exportFormats[x.format]
	name := fmt.Sprintf("aliscout-%s-%s.%s", x.format, s.now().UTC().Format("20060102"), fmtInfo.ext)
	h := w.Header()
	h.Set("Content-Type", fmtInfo.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Trailer", "X-Aliscout-Skipped, X-Aliscout-Validation")
	// The file is checked by the export package's validator as it streams to the client.
	checker, err := export.NewChecker(x.format, w)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	ew, err := export.New(x.format, checker, export.Options{Price: x.priceFunc(), Sanitizer: s.san})
	if err != nil {
		_ = checker.Close()
		s.failErr(w, r, err)
		return
	}
	var skipped []string
	for i := range products {
		p := &products[i].Product
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
	h.Set("X-Aliscout-Skipped", strings.Join(skipped, ","))
	h.Set("X-Aliscout-Validation", verdict)
}
