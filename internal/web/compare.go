package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
)

// MaxCompare is how many products the compare page shows side by side.
const MaxCompare = 4

// parseIDs reads product IDs from every value of field, each a comma- or space-separated list
// (ids=1,2 and ids=1&ids=2 both work), without duplicates. More than limit is an error naming the
// field.
func parseIDs(v url.Values, field string, limit int) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, s := range v[field] {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
			id, err := parseID(field, part)
			if err != nil {
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > limit {
		return nil, invalid(field, "%d products chosen; at most %d at a time", len(ids), limit)
	}
	return ids, nil
}

// compareInputs splits what the compare form's products field holds into product IDs and links:
// IDs separated by commas or spaces (ids=1,2 from the tray, ids=1&ids=2 from the checkboxes), or
// pasted links, whose own commas (in a query) stay theirs.
func compareInputs(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, piece := range strings.Fields(v) {
			for part := range strings.SplitSeq(piece, ",") {
				switch {
				case part == "":
				case len(out) > 0 && strings.Contains(out[len(out)-1], "/") && !startsInput(part):
					out[len(out)-1] += "," + part // a comma inside a link
				default:
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// startsInput reports whether s, after a comma, begins another product rather than continuing
// a link: a product ID or a link of its own.
func startsInput(s string) bool {
	if s == "" {
		return false
	}
	if strings.Trim(s, "0123456789") == "" {
		return true
	}
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "//") ||
		strings.Contains(strings.SplitN(l, "/", 2)[0], "aliexpress.")
}

// shortText cuts what a user typed to a length a message can repeat.
func shortText(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// isDigits reports whether s is a run of decimal digits.
func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// compareCol is one product of the compare page.
type compareCol struct {
	ID       int64
	Input    string // what was pasted, when it named no product
	P        *catalog.Product
	Title    string
	Problem  string // why the product is missing
	Q        quote
	Image    string
	Detail   string
	Variants int
	Stock    stockSummary
}

// stockSummary is a product's stock over its variants.
type stockSummary struct {
	Known    bool // at least one variant says its stock
	Units    int  // units in stock over the variants that say
	Variants int
	SoldOut  int // variants with none left
}

func stockOf(p *catalog.Product) stockSummary {
	st := stockSummary{Variants: len(p.Variants)}
	for _, v := range p.Variants {
		if v.Stock < 0 {
			continue
		}
		st.Known = true
		st.Units += v.Stock
		if v.Stock == 0 {
			st.SoldOut++
		}
	}
	return st
}

// compareData is the compare page.
type compareData struct {
	base
	Cols       []compareCol
	Errors     map[string]string
	ErrorList  []*catalog.Error
	Opts       catalog.ProductOptions
	Calc       calc
	Countries  []option
	Currencies []option
	IDs        string
	Keep       url.Values
}

func (s *Server) comparePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := compareData{base: s.base(r, "Compare", "compare")}
	inputs := compareInputs(q["ids"])
	var ids []int64
	var err error
	links := false
	for _, in := range inputs {
		switch {
		case isDigits(in):
			if _, perr := parseID("ids", in); perr != nil && err == nil {
				err = perr
			}
		case strings.ContainsAny(in, "./"):
			links = true // a pasted link: the catalog reads it as an import does, short links included
		case err == nil:
			err = invalid("ids", "%q is neither a product ID nor an AliExpress link", shortText(in))
		}
	}
	switch {
	case len(inputs) > MaxCompare:
		err = invalid("ids", "%d products chosen; at most %d at a time", len(inputs), MaxCompare)
	case err != nil || links:
	default:
		ids, err = parseIDs(q, "ids", MaxCompare)
	}
	opts, oerr := parseProductOptions(q, "ship_to")
	c, cerr := parseCalc(q, opts.Currency)
	d.Opts, d.Calc = opts, c
	d.ErrorList = fieldErrors(errors.Join(err, oerr, cerr))
	d.Errors = fieldMap(d.ErrorList)
	d.Countries = countryOptions(opts.ShipTo)
	d.Currencies = listOptions(catalog.Currencies(), opts.Currency)
	d.Keep = carried(opts.ShipTo, opts.Currency, opts.Language, c)
	if len(d.ErrorList) > 0 {
		d.IDs = strings.Join(q["ids"], ",")
		s.render(w, r, http.StatusBadRequest, "compare", &d)
		return
	}
	var idText []string
	seen := map[int64]bool{}
	add := func(col compareCol) {
		if col.ID != 0 {
			if seen[col.ID] {
				return // the same product pasted twice
			}
			seen[col.ID] = true
			idText = append(idText, strconv.FormatInt(col.ID, 10))
		} else {
			idText = append(idText, col.Input)
		}
		d.Cols = append(d.Cols, col)
	}
	if links {
		for _, res := range s.catalogFor(r).Import(r.Context(), inputs, opts) {
			if res.Product == nil || res.Error != "" {
				msg := res.Error
				if msg == "" || res.Code == catalog.ENotFound {
					msg = "Not (or no longer) listed on AliExpress."
				}
				add(compareCol{Input: cleanText(res.Input), Problem: msg})
				continue
			}
			add(s.compareCol(&d, c, *res.Product))
		}
	} else {
		for _, f := range s.catalogFor(r).Products(r.Context(), ids, opts) {
			if f.Err != nil {
				pr := problemOf(f.Err)
				s.logError(r, f.Err, pr)
				col := compareCol{ID: f.ID, Problem: pr.Message, Detail: withQuery("/products/"+strconv.FormatInt(f.ID, 10), d.Keep)}
				if pr.Code == catalog.ENotFound {
					col.Problem = "Not (or no longer) listed on AliExpress."
				}
				add(col)
				continue
			}
			add(s.compareCol(&d, c, f.Product))
		}
	}
	d.IDs = strings.Join(idText, ",")
	s.render(w, r, http.StatusOK, "compare", &d)
}

// compareCol lays out product p as a column of the compare page d.
func (s *Server) compareCol(d *compareData, c calc, p catalog.Product) compareCol {
	col := compareCol{ID: p.ID, P: &p, Title: titleOf(&p), Q: c.quoteProduct(&p), Variants: len(p.Variants),
		Image: imageOf(s.page.Image, &p), Stock: stockOf(&p),
		Detail: withQuery("/products/"+strconv.FormatInt(p.ID, 10), d.Keep)}
	d.Stale = d.Stale || p.Stale
	if !p.FetchedAt.IsZero() && (d.FetchedAt.IsZero() || p.FetchedAt.Before(d.FetchedAt)) {
		d.FetchedAt = p.FetchedAt
	}
	return col
}
