package sourcing

import (
	"context"
	"strconv"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// A search page costs one upstream call for its products, and used to cost one more per product
// shown for its shipping. With ServiceOptions.LazyShipping, a search whose filters and sort need no
// shipping takes the shown products' shipping from the cache only and marks the rest
// ShippingPending; SearchShipping fetches those as the page asks, from what the search knew of
// each product (its SKU and price), so that no product lookup is spent on them.

// maxShippingBatch bounds the products of one SearchShipping call.
const maxShippingBatch = 50

// shippingMatters reports whether f filters or sorts by shipping, so that a search must fetch it.
func shippingMatters(f catalog.Filters) bool {
	return f.FreeShipping || f.MaxDeliveryDays > 0 || f.Sort == catalog.SortDelivery
}

// shippingKey is the cache key of p's shipping to o, as shippingFor fetches it.
func (s *Service) shippingKey(p *catalog.Product, o catalog.ProductOptions) string {
	o = normalizeOptions(o)
	sku := pricedSKU(p)
	if s.opts.DS && sku != "" {
		return s.dsKey("freight", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency)
	}
	return s.key("affshipping", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency, p.Price.String())
}

// listedKey is the cache key of what a search knew of product id, in currency.
func (s *Service) listedKey(id int64, currency string) string {
	return s.key("listed", strconv.FormatInt(id, 10), currency)
}

// enrichCached fills in the shipping of ps that the cache holds fresh, with no upstream call, and
// marks the others ShippingPending, remembering what the search knew of them for SearchShipping.
func (s *Service) enrichCached(ctx context.Context, ps []*catalog.Product, f catalog.Filters) {
	o := normalizeOptions(catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
	var cached []*catalog.Product
	for _, p := range ps {
		if s.cache.Fresh(ctx, s.shippingKey(p, o), s.opts.TTLs.Shipping) {
			cached = append(cached, p)
			continue
		}
		p.Shipping, p.ShippingPending, p.ShipTo = nil, true, o.ShipTo
		listed := *p
		listed.DescriptionHTML = ""
		if err := cache.StoreJSON(ctx, s.cache, s.listedKey(p.ID, o.Currency), s.opts.TTLs.Search+s.opts.TTLs.Shipping, listed); err != nil {
			s.opts.Logger.Debug("search: remember a listed product", "product", p.ID, "err", err)
		}
	}
	s.enrich(ctx, cached, f)
}

// refreshPending fills in, from the cache, the shipping of the pending products of a search
// result served from memory: the page may have fetched it since. It says whether it filled any.
func (s *Service) refreshPending(ctx context.Context, ps []catalog.Product, f catalog.Filters) bool {
	var pending []*catalog.Product
	for i := range ps {
		if ps[i].ShippingPending {
			pending = append(pending, &ps[i])
		}
	}
	if len(pending) == 0 {
		return false
	}
	o := normalizeOptions(catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
	var cached []*catalog.Product
	for _, p := range pending {
		if s.cache.Fresh(ctx, s.shippingKey(p, o), s.opts.TTLs.Shipping) {
			p.ShippingPending = false
			cached = append(cached, p)
		}
	}
	s.enrich(ctx, cached, f)
	return len(cached) > 0
}

// SearchShipping returns the shipping to o.ShipTo of products a search listed, in the order of
// ids: from what the search knew of each (so only the shipping is asked for, through the cache),
// or, for a product no recent search listed, as Shipping finds it.
func (s *Service) SearchShipping(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.ShippingFound {
	o = normalizeOptions(o)
	out := make([]catalog.ShippingFound, len(ids))
	for i, id := range ids {
		out[i].ID = id
	}
	if err := validateOptions(o); err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	if len(ids) > maxShippingBatch {
		err := catalog.Invalid("ids", "%d products; at most %d at a time", len(ids), maxShippingBatch)
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	errs := forEach(ctx, s.opts.Parallel, len(ids), func(ctx context.Context, i int) error {
		id := ids[i]
		var q catalog.ShippingQuote
		var err error
		if p, _, lerr := cache.FetchJSON(ctx, s.cache, s.listedKey(id, o.Currency), s.opts.TTLs.Search+s.opts.TTLs.Shipping,
			func(context.Context) (*catalog.Product, error) { return nil, errNotListed }); lerr == nil && p != nil && p.ID == id {
			q, err = s.enrichOne(ctx, p, o)
		} else {
			q, err = s.Shipping(ctx, id, o)
		}
		if err != nil {
			if catalog.ErrorCode(err) == catalog.ENotShipped {
				q, err = catalog.ShippingQuote{ProductID: id, ShipTo: o.ShipTo, Options: []catalog.ShippingOption{}}, nil
			} else {
				return err
			}
		}
		out[i].Quote = q
		return nil
	})
	for i, err := range errs {
		if err != nil {
			out[i].Err = Translate(err)
		}
	}
	return out
}

// errNotListed is the "load" of a listed product that no search remembered: there is nothing to
// load, and the caller asks the catalog instead.
var errNotListed = catalog.Invalid("ids", "not listed by a recent search")
