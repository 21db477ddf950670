package sourcing

import (
	"context"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
)

// The reads of product tracking: uncached, since a check is worth only what it sees now, and
// batched, since a tracker checks thousands of products a day.

// TrackBatchSize is the most product IDs TrackDetails takes: what one
// aliexpress.affiliate.productdetail.get call takes.
func (s *Service) TrackBatchSize() int { return aliexpress.DefaultProductDetailsBatchSize }

// TrackDS reports whether s makes DS calls by itself (with the app's own session, as on the
// simulator), so that tracking may ask it for users without a connected account.
func (s *Service) TrackDS() bool { return s.opts.DS }

// TrackDetails returns the affiliate data of up to TrackBatchSize products for the country and
// currency, with one aliexpress.affiliate.productdetail.get call. A product AliExpress leaves out
// is missing from the map: not listed, or not for that country.
func (s *Service) TrackDetails(ctx context.Context, ids []int64, country, currency string) (map[int64]catalog.Product, error) {
	o := normalizeOptions(catalog.ProductOptions{ShipTo: country, Currency: currency})
	if err := validateOptions(o); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > s.TrackBatchSize() {
		return nil, catalog.Invalid("ids", "%d product IDs; want 1 to %d", len(ids), s.TrackBatchSize())
	}
	ps, err := guarded(s, "aliexpress.affiliate.productdetail.get", func() ([]aliexpress.Product, error) {
		ps, _, err := s.ae.Affiliate.ProductDetails(ctx, ids, &aliexpress.ProductDetailsOptions{
			TargetCurrency: o.Currency, TargetLanguage: o.Language, Country: o.ShipTo, BatchSize: len(ids)})
		return ps, err
	})
	if err != nil {
		return nil, Translate(err)
	}
	f := catalog.DefaultFilters()
	f.ShipTo, f.Currency, f.Language = o.ShipTo, o.Currency, o.Language
	out := make(map[int64]catalog.Product, len(ps))
	for _, ap := range ps {
		out[ap.ID] = fromAffiliate(ap, f)
	}
	return out, nil
}

// TrackVariants returns a product's variants with their prices and stock, and its lead time to
// the country, with one aliexpress.ds.product.get call through s's DS client (a connected
// account's for a view). The shipping it gives has the lead time as its days and no fee: the
// fee would take a freight call per product. catalog.ENotFound means the product is gone.
func (s *Service) TrackVariants(ctx context.Context, id int64, country, currency string) (catalog.Product, error) {
	o := normalizeOptions(catalog.ProductOptions{ShipTo: country, Currency: currency})
	if err := validateOptions(o); err != nil {
		return catalog.Product{}, err
	}
	d, err := dsCall(ctx, s, "aliexpress.ds.product.get", func(c *aliexpress.Client) (*aliexpress.DSProduct, error) {
		d, _, err := c.DS.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: o.ShipTo, Currency: o.Currency, Language: strings.ToLower(o.Language)})
		return d, err
	})
	if err != nil {
		return catalog.Product{}, Translate(err)
	}
	p := mergeDS(catalog.Product{}, false, d, o)
	if d.DeliveryDays > 0 {
		p.Shipping = []catalog.ShippingOption{{Fee: catalog.Money{Currency: o.Currency}, Free: true,
			MinDays: d.DeliveryDays, MaxDays: d.DeliveryDays}}
	}
	return p, nil
}
