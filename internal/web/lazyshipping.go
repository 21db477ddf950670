package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"

	"github.com/aliscout/aliscout/internal/catalog"
)

// A search that needs no shipping to filter or sort leaves the shipping of the products it shows
// to be fetched as the page asks (catalog.Product.ShippingPending): the page answers after one
// AliExpress call instead of one per product. Its script asks GET /api/shipping for the cards
// still waiting and fills them in; without JavaScript a "Load shipping" link reloads the page with
// shipping=load, which fetches it before drawing.

// shippingBatcher is what a catalog may offer for that: the shipping of products a search listed,
// from what the search knew of them. A catalog without it is asked Shipping per product.
type shippingBatcher interface {
	SearchShipping(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.ShippingFound
}

// maxShippingIDs bounds the products of one GET /api/shipping: a page's worth.
const maxShippingIDs = catalog.MaxPageSize

// shippingParallel bounds the Shipping calls of one batch when the catalog has no batcher.
const shippingParallel = 6

// pendingShipping is what the search page says of the shipping still to come.
type pendingShipping struct {
	Pending         int    // products whose shipping is still to be fetched
	ShippingAPI     string // GET /api/shipping for this search's destination, currency and language, without ids
	LoadShippingURL string // this search again, with the shipping fetched before drawing
}

// searchShipping returns the shipping of ids to o, in their order.
func (s *Server) searchShipping(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.ShippingFound {
	if b, ok := s.cat.(shippingBatcher); ok {
		return b.SearchShipping(ctx, ids, o)
	}
	out := make([]catalog.ShippingFound, len(ids))
	sem := make(chan struct{}, shippingParallel)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			q, err := s.cat.Shipping(ctx, id, o)
			if catalog.ErrorCode(err) == catalog.ENotShipped {
				q, err = catalog.ShippingQuote{ProductID: id, ShipTo: o.ShipTo, Options: []catalog.ShippingOption{}}, nil
			}
			out[i] = catalog.ShippingFound{ID: id, Quote: q, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// loadPending fetches the shipping of the pending products of ps to f's destination.
func (s *Server) loadPending(ctx context.Context, ps []catalog.Product, f catalog.Filters) {
	var ids []int64
	at := map[int64][]int{}
	for i := range ps {
		if ps[i].ShippingPending {
			if len(at[ps[i].ID]) == 0 {
				ids = append(ids, ps[i].ID)
			}
			at[ps[i].ID] = append(at[ps[i].ID], i)
		}
	}
	if len(ids) == 0 {
		return
	}
	for _, found := range s.searchShipping(ctx, ids, catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language}) {
		for _, i := range at[found.ID] {
			p := &ps[i]
			p.ShippingPending = false
			if found.Err != nil {
				p.Shipping, p.ShippingUnknown = nil, true
				continue
			}
			p.Shipping = found.Quote.Options
			if found.Quote.ShipTo != "" {
				p.ShipTo = found.Quote.ShipTo
			}
			p.Stale = p.Stale || found.Quote.Stale
		}
	}
}

// fillPending counts the products of d whose shipping is still to come, and the links that fetch it.
func (d *searchData) fillPending(f catalog.Filters, c calc) {
	for _, it := range d.Items {
		if it.P.ShippingPending {
			d.Pending++
		}
	}
	if d.Pending == 0 {
		return
	}
	api := url.Values{"ship_to": {f.ShipTo}, "currency": {f.Currency}, "language": {f.Language}}
	d.ShippingAPI = "/api/shipping?" + api.Encode()
	v := f.Values()
	for k, vs := range c.Values() {
		v[k] = vs
	}
	if d.View == "table" {
		v.Set("view", "table")
	}
	v.Set("shipping", "load")
	d.LoadShippingURL = withQuery("/search", v)
}

// shippingFoundJSON is one product of GET /api/shipping.
type shippingFoundJSON struct {
	ProductID int64          `json:"product_id"`
	ShipTo    string         `json:"ship_to"`
	Options   []shippingJSON `json:"options"`
	Cheapest  *shippingJSON  `json:"cheapest"` // null when the product does not ship there
	Stale     bool           `json:"stale"`
	Error     *errorBody     `json:"error,omitempty"`
}

// apiSearchShipping answers GET /api/shipping?ids=1,2&ship_to=US&currency=USD&language=EN: the
// shipping of up to a page of products, each with its options, the cheapest, or why not. It is a
// GET so that pages can ask for it as they load; a request another site's page makes (an <img>
// spending this server's AliExpress quota) is refused.
func (s *Server) apiSearchShipping(w http.ResponseWriter, r *http.Request) {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		s.fail(w, r, problem{Status: http.StatusForbidden, Code: "forbidden",
			Message: "This request came from another site and was refused: it would spend this server's AliExpress calls."})
		return
	}
	q := r.URL.Query()
	ids, err := parseIDs(q, "ids", maxShippingIDs)
	opts, oerr := parseProductOptions(q, "ship_to")
	if err := errors.Join(err, oerr); err != nil {
		s.failErr(w, r, err)
		return
	}
	if len(ids) == 0 {
		s.failErr(w, r, invalid("ids", "give at least one product ID, such as ids=1005006123456789"))
		return
	}
	out := struct {
		Quotes []shippingFoundJSON `json:"quotes"`
	}{Quotes: make([]shippingFoundJSON, 0, len(ids))}
	for _, f := range s.searchShipping(r.Context(), ids, opts) {
		item := shippingFoundJSON{ProductID: f.ID, ShipTo: opts.ShipTo, Options: []shippingJSON{}}
		if f.Err != nil {
			p := problemOf(f.Err)
			s.logError(r, f.Err, p)
			item.Error = &errorBody{Code: p.Code, Message: p.Message}
		} else {
			if f.Quote.ShipTo != "" {
				item.ShipTo = f.Quote.ShipTo
			}
			item.Options, item.Stale = shippingOut(f.Quote.Options), f.Quote.Stale
			p := catalog.Product{Shipping: f.Quote.Options}
			if c, ok := p.Cheapest(); ok {
				item.Cheapest = &shippingOut([]catalog.ShippingOption{c})[0]
			}
		}
		out.Quotes = append(out.Quotes, item)
	}
	writeJSON(w, http.StatusOK, out)
}
