package sourcing

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// Shipping returns the shipping options of a product to o.ShipTo.
func (s *Service) Shipping(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	o = normalizeOptions(o)
	if err := validateOptions(o); err != nil {
		return catalog.ShippingQuote{}, err
	}
	if id <= 0 {
		return catalog.ShippingQuote{}, catalog.Invalid("id", "%d is not a product ID", id)
	}
	if s.opts.MemoFor < 0 {
		return s.shipping(ctx, id, o)
	}
	key := s.productKey(id, o)
	now, writes := s.opts.Now(), s.cache.Writes()
	if q, _, ok := s.quotes.get(key, now, writes); ok {
		return q, nil
	}
	q, err := s.shipping(ctx, id, o)
	if err == nil && !q.Stale {
		s.quotes.put(key, q, now, writes)
	}
	return q, err
}

// shipping builds the shipping quote of product id to o (normalized, valid) from the cache (or
// AliExpress).
func (s *Service) shipping(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	var p catalog.Product
	if s.opts.DS {
		d, _, err := s.dsProduct(ctx, id, o)
		if err != nil {
			if catalog.ErrorCode(err) == catalog.ENotShipped {
				return catalog.ShippingQuote{ProductID: id, ShipTo: o.ShipTo, Options: []catalog.ShippingOption{}, Source: catalog.SourceDS}, nil
			}
			return catalog.ShippingQuote{}, err
		}
		p = mergeDS(catalog.Product{}, false, d, o)
	} else {
		ap, _, _, err := s.affiliateProduct(ctx, id, o)
		if err != nil {
			return catalog.ShippingQuote{}, err
		}
		p = ap
	}
	return s.shippingFor(ctx, &p, o)
}

// shippingFor fetches the shipping of p (which knows its SKUs and price) to o.ShipTo, quoted for
// the variant that sets the product's price.
func (s *Service) shippingFor(ctx context.Context, p *catalog.Product, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	o = normalizeOptions(o)
	sku := pricedSKU(p)
	if s.opts.DS && sku != "" {
		return s.freight(ctx, p, sku, o)
	}
	q := catalog.ShippingQuote{ProductID: p.ID, ShipTo: o.ShipTo, Options: []catalog.ShippingOption{}, SKUID: sku, Stock: -1}
	q.Source = catalog.SourceAffiliate
	key := s.key("affshipping", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency, p.Price.String())
	sq, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Shipping, func(ctx context.Context) (*aliexpress.ShippingQuote, error) {
		sq, err := guarded(s, "aliexpress.affiliate.product.shipping.get", func() (*aliexpress.ShippingQuote, error) {
			sq, _, err := s.ae.Affiliate.ProductShipping(ctx, &aliexpress.ShippingQuery{ProductID: p.ID, SKUID: sku, ShipToCountry: o.ShipTo,
				TargetCurrency: o.Currency, TargetSalePrice: sdkMoney(p.Price), TargetLanguage: o.Language, TaxRate: p.TaxRate})
			return sq, err
		})
		if errors.Is(err, aliexpress.ErrDeliveryUnavailable) || errors.Is(err, aliexpress.ErrNoResults) {
			return nil, nil
		}
		return sq, err
	})
	if err != nil {
		return q, Translate(err)
	}
	if sq != nil {
		fee := money(sq.ShippingFee)
		if fee.IsZero() {
			fee = catalog.Money{Currency: o.Currency}
		}
		q.Options = append(q.Options, catalog.ShippingOption{Code: "STANDARD", Company: "Standard shipping", Fee: fee, Free: fee.Amount == 0,
			MinDays: sq.MinDeliveryDays, MaxDays: sq.MaxDeliveryDays, ShipFrom: sq.ShipFromCountry, Tracking: true})
	}
	q.Stale, q.FetchedAt = r.Stale, r.StoredAt
	sortShipping(q.Options)
	return q, nil
}

// pricedSKU is the SKU whose price is the product's: the cheapest in stock, as mergeDS chose it.
func pricedSKU(p *catalog.Product) string {
	for _, v := range p.Variants {
		if v.SKUID != "" && v.Stock != 0 && v.Price == p.Price {
			return v.SKUID
		}
	}
	for _, v := range p.Variants {
		if v.SKUID != "" && v.Stock != 0 {
			return v.SKUID
		}
	}
	if len(p.Variants) > 0 {
		return p.Variants[0].SKUID
	}
	return ""
}

// freight quotes the DS shipping of one SKU of p through the cache.
func (s *Service) freight(ctx context.Context, p *catalog.Product, sku string, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	o = normalizeOptions(o)
	q := catalog.ShippingQuote{ProductID: p.ID, ShipTo: o.ShipTo, Options: []catalog.ShippingOption{}, Source: catalog.SourceDS,
		SKUID: sku, Stock: -1}
	key := s.dsKey("freight", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency)
	opts, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Shipping, func(ctx context.Context) ([]aliexpress.DeliveryOption, error) {
		opts, err := dsCall(ctx, s, "aliexpress.ds.freight.query", func(c *aliexpress.Client) ([]aliexpress.DeliveryOption, error) {
			opts, _, err := c.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: sku, Quantity: 1, ShipTo: o.ShipTo,
				Currency: o.Currency, Language: "en", Locale: "en_US"})
			return opts, err
		})
		if errors.Is(err, aliexpress.ErrDeliveryUnavailable) {
			return []aliexpress.DeliveryOption{}, nil // "does not ship there" is an answer worth caching
		}
		return opts, err
	})
	if err != nil {
		return q, Translate(err)
	}
	price := p.Price
	if v, ok := p.Variant(sku); ok {
		price = v.Price
	}
	for _, d := range opts {
		if d.AvailableStock >= 0 {
			q.Stock = d.AvailableStock
		}
		fee := money(d.FeeFor(sdkMoney(price)))
		q.Options = append(q.Options, catalog.ShippingOption{Code: d.Code, Company: d.Company, Fee: fee, Free: fee.Amount == 0,
			MinDays: d.MinDays, MaxDays: d.MaxDays, Tracking: d.Tracking, ShipFrom: d.ShipFrom})
	}
	q.Stale, q.FetchedAt = r.Stale, r.StoredAt
	sortShipping(q.Options)
	return q, nil
}

func sortShipping(opts []catalog.ShippingOption) {
	slices.SortStableFunc(opts, func(a, b catalog.ShippingOption) int {
		return cmp.Or(cmp.Compare(a.Fee.Amount, b.Fee.Amount), cmp.Compare(a.MaxDays, b.MaxDays))
	})
}
