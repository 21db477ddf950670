package sourcing

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// Product returns one product with its variants and its shipping to o.ShipTo. With a DS account
// the variants, stock and shipping come from the DS API and the affiliate data (commission,
// orders, affiliate link) is merged in; otherwise, or when the DS API fails for another reason
// than the product being gone, the product-level affiliate data is returned.
func (s *Service) Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	o = normalizeOptions(o)
	if s.opts.MemoFor < 0 {
		return s.product(ctx, id, o)
	}
	key := s.productKey(id, o)
	now, writes := s.opts.Now(), s.cache.Writes()
	if p, rev, ok := s.products.get(key, now, writes); ok {
		p.Revision = rev
		return p, nil
	}
	p, err := s.product(ctx, id, o)
	if err == nil && !p.Stale {
		p.Revision = s.products.put(key, p, now, writes)
	}
	return p, err
}

// ProductRevision is the Revision of the product Product(ctx, id, o) would give now when that
// is a kept one, which it would only copy: a caller holding what it made of that Revision may
// use it again without the product. ok is false whenever Product would build or look up
// anything; the caller then calls Product.
func (s *Service) ProductRevision(id int64, o catalog.ProductOptions) (uint64, bool) {
	if s.opts.MemoFor < 0 || id <= 0 {
		return 0, false
	}
	return s.products.revision(s.productKey(id, normalizeOptions(o)), s.opts.Now(), s.cache.Writes())
}

// productKey names product id with o (normalized) among the kept products and shipping quotes:
// as s's account sees it, for a view.
func (s *Service) productKey(id int64, o catalog.ProductOptions) keptKey {
	k := keptKey{id: id, o: o}
	if s.acct != nil {
		k.account = s.acct.key
	}
	return k
}

// product builds product id from the cache (or AliExpress), o normalized.
func (s *Service) product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	if id <= 0 {
		return catalog.Product{}, catalog.Invalid("id", "%d is not a product ID", id)
	}
	aff, affStale, notShipped, affErr := s.affiliateProduct(ctx, id, o)
	if !s.opts.DS {
		if affErr != nil {
			return catalog.Product{}, affErr
		}
		p := aff
		p.Stale = p.Stale || affStale.stale
		s.withShipping(ctx, &p, notShipped, o)
		return p, nil
	}
	d, dsStale, dsErr := s.dsProduct(ctx, id, o)
	switch {
	case dsErr == nil:
		p := mergeDS(aff, affErr == nil, d, o)
		p.Stale = affStale.stale || dsStale.stale
		if at := dsStale.storedAt; !at.IsZero() && (p.FetchedAt.IsZero() || at.Before(p.FetchedAt)) {
			p.FetchedAt = dsStale.storedAt // the older of the two answers
		}
		s.withShipping(ctx, &p, notShipped, o)
		return p, nil
	case catalog.ErrorCode(dsErr) == catalog.ENotFound:
		return catalog.Product{}, notListed(id)
	case catalog.ErrorCode(dsErr) == catalog.ENotShipped:
		if affErr == nil {
			p := aff
			p.ShipTo, p.Shipping = o.ShipTo, []catalog.ShippingOption{}
			return p, nil
		}
		return catalog.Product{}, dsErr
	case affErr == nil:
		s.opts.Logger.Warn("product: DS API failed, showing affiliate data", "product", id, "err", dsErr)
		p := aff
		p.Stale = affStale.stale
		s.withShipping(ctx, &p, notShipped, o)
		return p, nil
	}
	return catalog.Product{}, dsErr
}

// Products looks up several products at once, a few at a time, in the order of ids: each with its
// product or why it could not be had. The affiliate data of the products not in the cache is
// fetched with one productdetail.get call per batch rather than one per product. A request
// that ends early leaves the products not yet asked for with the context's error.
func (s *Service) Products(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.Found {
	o = normalizeOptions(o)
	out := make([]catalog.Found, len(ids))
	if err := validateOptions(o); err != nil {
		for i, id := range ids {
			out[i] = catalog.Found{ID: id, Err: err}
		}
		return out
	}
	s.prefetchDetails(ctx, ids, o)
	errs := forEach(ctx, s.opts.Parallel, len(ids), func(ctx context.Context, i int) error {
		p, err := s.Product(ctx, ids[i], o)
		out[i] = catalog.Found{ID: ids[i], Product: p}
		return err
	})
	for i, err := range errs {
		out[i].ID = ids[i]
		if err != nil {
			out[i].Err = Translate(err)
		}
	}
	return out
}

// prefetchDetails fills the cache with the affiliate data, for o.ShipTo, of those of ids it does
// not hold, in one productdetail.get call per batch. An ID AliExpress leaves out is cached as
// such, so that Product asks only whether it is unlisted or does not ship there. A failure here is
// not an error: each product is then fetched on its own.
func (s *Service) prefetchDetails(ctx context.Context, ids []int64, o catalog.ProductOptions) {
	var missing []int64
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		if id > 0 && !s.cache.Fresh(ctx, s.affKey(id, o.ShipTo, o), s.opts.TTLs.Product) {
			missing = append(missing, id)
		}
	}
	if len(missing) < 2 {
		return
	}
	ps, err := guarded(s, "aliexpress.affiliate.productdetail.get", func() ([]aliexpress.Product, error) {
		ps, _, err := s.ae.Affiliate.ProductDetails(ctx, missing, &aliexpress.ProductDetailsOptions{
			TargetCurrency: o.Currency, TargetLanguage: o.Language, Country: o.ShipTo})
		return ps, err
	})
	if err != nil {
		s.opts.Logger.Debug("products: batch details failed", "products", len(missing), "err", err)
		return
	}
	found := map[int64]aliexpress.Product{}
	for _, p := range ps {
		found[p.ID] = p
	}
	for _, id := range missing {
		list := []aliexpress.Product{}
		if p, ok := found[id]; ok {
			list = append(list, p)
		}
		if err := cache.StoreJSON(ctx, s.cache, s.affKey(id, o.ShipTo, o), s.opts.TTLs.Product, list); err != nil {
			s.opts.Logger.Debug("products: cache details", "product", id, "err", err)
		}
	}
}

// affKey is the cache key of product id's affiliate details for country ("" for any).
func (s *Service) affKey(id int64, country string, o catalog.ProductOptions) string {
	return s.key("affproduct", strconv.FormatInt(id, 10), country, o.Currency, o.Language)
}

// withShipping sets p's shipping to o.ShipTo; notShipped says AliExpress lists the product, but
// not for that country.
func (s *Service) withShipping(ctx context.Context, p *catalog.Product, notShipped bool, o catalog.ProductOptions) {
	if notShipped {
		p.ShipTo, p.Shipping = o.ShipTo, []catalog.ShippingOption{}
		return
	}
	q, err := s.shippingFor(ctx, p, o)
	if err != nil {
		s.opts.Logger.Debug("product: no shipping", "product", p.ID, "err", err)
		p.ShipTo, p.Shipping, p.ShippingUnknown = o.ShipTo, nil, true
		return
	}
	p.ShipTo, p.Shipping = q.ShipTo, q.Options
	p.Stale = p.Stale || q.Stale
	s.perWarehouse(ctx, p, o)
}

// perWarehouse quotes shipping once per warehouse when the product's variants ship from several
// ("Ships From: China / France"): the fee, the delivery days and whether it ships at all differ.
func (s *Service) perWarehouse(ctx context.Context, p *catalog.Product, o catalog.ProductOptions) {
	if !s.opts.DS {
		return
	}
	opt := -1
	for i, op := range p.Options {
		if strings.EqualFold(strings.TrimSpace(op.Name), "Ships From") {
			opt = i
		}
	}
	if opt < 0 || len(p.Options[opt].Values) < 2 {
		return
	}
	groups := map[string][]int{}
	for i, v := range p.Variants {
		if opt < len(v.Values) {
			groups[v.Values[opt]] = append(groups[v.Values[opt]], i)
		}
	}
	for _, idx := range groups {
		sku := p.Variants[idx[0]].SKUID
		for _, i := range idx {
			if p.Variants[i].Stock != 0 {
				sku = p.Variants[i].SKUID
				break
			}
		}
		q, err := s.freight(ctx, p, sku, o)
		opts := []catalog.ShippingOption{}
		if err == nil {
			opts = q.Options
			p.Stale = p.Stale || q.Stale
		} else {
			s.opts.Logger.Debug("product: no shipping for a warehouse", "product", p.ID, "sku", sku, "err", err)
		}
		for _, i := range idx {
			p.Variants[i].Shipping = opts
		}
	}
}

func normalizeOptions(o catalog.ProductOptions) catalog.ProductOptions {
	o.ShipTo = strings.ToUpper(strings.TrimSpace(o.ShipTo))
	if o.ShipTo == "" {
		o.ShipTo = catalog.DefaultShipTo
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	if o.Currency == "" {
		o.Currency = catalog.DefaultCurrency
	}
	o.Language = strings.ToUpper(strings.TrimSpace(o.Language))
	if o.Language == "" {
		o.Language = catalog.DefaultLanguage
	}
	return o
}

func validateOptions(o catalog.ProductOptions) error {
	if !catalog.IsCountry(o.ShipTo) {
		return catalog.Invalid("ship_to", "%q is not a two-letter country code", o.ShipTo)
	}
	if !catalog.IsCurrency(o.Currency) {
		return catalog.Invalid("currency", "%q is not a currency AliExpress offers", o.Currency)
	}
	if !catalog.IsLanguage(o.Language) {
		return catalog.Invalid("language", "%q is not a language AliExpress offers", o.Language)
	}
	return nil
}

// affiliateProduct fetches product id from the affiliate API through the cache. notShipped says
// AliExpress lists it, but not for o.ShipTo.
func (s *Service) affiliateProduct(ctx context.Context, id int64, o catalog.ProductOptions) (p catalog.Product, stale staleInfo, notShipped bool, err error) {
	if err := validateOptions(o); err != nil {
		return catalog.Product{}, staleInfo{}, false, err
	}
	// productdetail.get leaves out products that do not ship to the country asked for; asking
	// again without it tells "does not ship there" from "not listed".
	for _, country := range []string{o.ShipTo, ""} {
		ps, r, err := cache.FetchJSON(ctx, s.cache, s.affKey(id, country, o), s.opts.TTLs.Product, func(ctx context.Context) ([]aliexpress.Product, error) {
			return guarded(s, "aliexpress.affiliate.productdetail.get", func() ([]aliexpress.Product, error) {
				ps, _, err := s.ae.Affiliate.ProductDetails(ctx, []int64{id}, &aliexpress.ProductDetailsOptions{
					TargetCurrency: o.Currency, TargetLanguage: o.Language, Country: country})
				return ps, err
			})
		})
		if err != nil {
			return catalog.Product{}, staleInfo{}, false, Translate(err)
		}
		for _, ap := range ps {
			if ap.ID == id {
				f := catalog.DefaultFilters()
				f.ShipTo, f.Currency, f.Language = o.ShipTo, o.Currency, o.Language
				p := fromAffiliate(ap, f)
				p.FetchedAt = r.StoredAt
				return p, staleOf(r), country == "", nil
			}
		}
	}
	return catalog.Product{}, staleInfo{}, false, notListed(id)
}

func (s *Service) dsProduct(ctx context.Context, id int64, o catalog.ProductOptions) (*aliexpress.DSProduct, staleInfo, error) {
	if err := validateOptions(o); err != nil {
		return nil, staleInfo{}, err
	}
	key := s.dsKey("dsproduct", strconv.FormatInt(id, 10), o.ShipTo, o.Currency, o.Language)
	d, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Product, func(ctx context.Context) (*aliexpress.DSProduct, error) {
		return dsCall(ctx, s, "aliexpress.ds.product.get", func(c *aliexpress.Client) (*aliexpress.DSProduct, error) {
			d, _, err := c.DS.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: o.ShipTo, Currency: o.Currency, Language: strings.ToLower(o.Language)})
			return d, err
		})
	})
	if err != nil {
		return nil, staleInfo{}, Translate(err)
	}
	return d, staleOf(r), nil
}
