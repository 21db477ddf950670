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

// compareCol is one product of the compare page.
type compareCol struct {
	ID       int64
	P        *catalog.Product
	Title    string
	Problem  string // why the product is missing
	Q        quote
	Image    string
	Detail   string
	Variants int
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
	ids, err := parseIDs(q, "ids", MaxCompare)
	opts, oerr := parseProductOptions(q, "ship_to")
	c, cerr := parseCalc(q, opts.Currency)
	d.Opts, d.Calc = opts, c
	d.ErrorList = fieldErrors(errors.Join(err, oerr, cerr))
	d.Errors = fieldMap(d.ErrorList)
	d.Countries = countryOptions(opts.ShipTo)
	d.Currencies = listOptions(catalog.Currencies(), opts.Currency)
	d.Keep = productSettings(opts.ShipTo, opts.Currency, opts.Language)
	for k, v := range c.Values() {
		d.Keep[k] = v
	}
	if len(d.ErrorList) > 0 {
		d.IDs = strings.Join(q["ids"], ",")
		s.render(w, r, http.StatusBadRequest, "compare", d)
		return
	}
	var idText []string
	for _, f := range s.cat.Products(r.Context(), ids, opts) {
		idText = append(idText, strconv.FormatInt(f.ID, 10))
		col := compareCol{ID: f.ID, Detail: withQuery("/products/"+strconv.FormatInt(f.ID, 10), d.Keep)}
		if f.Err != nil {
			pr := problemOf(f.Err)
			s.logError(r, f.Err, pr)
			col.Problem = pr.Message
			if pr.Code == catalog.ENotFound {
				col.Problem = "Not (or no longer) listed on AliExpress."
			}
		} else {
			p := f.Product
			col.P = &p
			col.Title = titleOf(&p)
			col.Q = c.quoteProduct(&p)
			col.Variants = len(p.Variants)
			col.Image = imageOf(s.page.Image, &p)
			d.Stale = d.Stale || p.Stale
			if !p.FetchedAt.IsZero() && (d.FetchedAt.IsZero() || p.FetchedAt.Before(d.FetchedAt)) {
				d.FetchedAt = p.FetchedAt
			}
		}
		d.Cols = append(d.Cols, col)
	}
	d.IDs = strings.Join(idText, ",")
	s.render(w, r, http.StatusOK, "compare", d)
}
