package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
)

// ServiceOptions configures a Service.
type ServiceOptions struct {
	TTLs cache.TTLs
	// DS says the client carries a dropshipping access token: variants, stock and shipping then
	// come from the DS API.
	DS        bool
	Simulated bool
	Now       func() time.Time
	Logger    *slog.Logger
	// ScanPages bounds how many upstream pages of 50 one search reads when it applies filters
	// AliExpress cannot apply (default 6, i.e. 300 products).
	ScanPages int
	// EnrichLimit bounds how many products of one search get their shipping fetched to check the
	// free-shipping and delivery-days filters (default 60); the visible page always does.
	EnrichLimit int
	// Parallel bounds concurrent upstream calls of one request (default 6).
	Parallel int
	// MemoFor is how long a search result is kept decoded in this process (default 15s), so that
	// a popular search costs neither a call nor decoding the cached answers again. Negative: off.
	MemoFor time.Duration
}

// Service answers searches and product lookups from AliExpress through the cache, so that
// repeated and concurrent requests cost one call, and a failing platform serves the last good data
// marked stale.
type Service struct {
	ae    *aliexpress.Client
	cache *cache.Cache
	opts  ServiceOptions

	healthMu   sync.Mutex
	lastHealth Health

	memoMu sync.Mutex
	memo   map[string]memoEntry

	// ns keeps this gateway's and app's answers apart from another's in a shared cache.
	ns string
}

// memoEntry is a decoded search result and when it stops being served.
type memoEntry struct {
	res     SearchResult
	expires time.Time
}

// maxMemo bounds the decoded search results kept in memory.
const maxMemo = 512

// NewService returns a service calling AliExpress with client through c.
func NewService(client *aliexpress.Client, c *cache.Cache, opts ServiceOptions) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ScanPages <= 0 {
		opts.ScanPages = 6
	}
	if opts.EnrichLimit <= 0 {
		opts.EnrichLimit = 60
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 6
	}
	if opts.TTLs == (cache.TTLs{}) {
		opts.TTLs = cache.DefaultTTLs
	}
	if opts.MemoFor == 0 {
		opts.MemoFor = 15 * time.Second
	}
	if opts.MemoFor > opts.TTLs.Search {
		opts.MemoFor = opts.TTLs.Search
	}
	ns := cache.Key(client.Gateway(), client.AppKey(), client.TrackingID())
	return &Service{ae: client, cache: c, opts: opts, memo: map[string]memoEntry{}, ns: ns}
}

// key builds a cache key in this service's namespace.
func (s *Service) key(parts ...string) string {
	return cache.Key(append([]string{s.ns}, parts...)...)
}

// upstreamPageSize is the page size aliscout asks AliExpress for: its maximum, so that one call
// serves as many pages of ours as it can.
const upstreamPageSize = 50

// Search runs a search. AliExpress applies what it can (keywords, category, price, sort by price
// or orders, ship-to, delivery days); aliscout applies the rest over a bounded number of upstream
// pages, each cached, and says when its total is an estimate.
func (s *Service) Search(ctx context.Context, f Filters) (SearchResult, error) {
	key := f.Values().Encode()
	if res, ok := s.memoGet(key); ok {
		return res, nil
	}
	res, err := s.search(ctx, f)
	if err == nil && !res.Stale {
		s.memoPut(key, res)
	}
	return res, err
}

func (s *Service) memoGet(key string) (SearchResult, bool) {
	if s.opts.MemoFor < 0 {
		return SearchResult{}, false
	}
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	e, ok := s.memo[key]
	if !ok || !s.opts.Now().Before(e.expires) {
		return SearchResult{}, false
	}
	res := e.res
	res.Products = slices.Clone(e.res.Products) // callers may change their copy
	return res, true
}

func (s *Service) memoPut(key string, res SearchResult) {
	if s.opts.MemoFor < 0 {
		return
	}
	now := s.opts.Now()
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	if len(s.memo) >= maxMemo {
		for k, e := range s.memo { // drop the expired ones, or else any one
			if !now.Before(e.expires) {
				delete(s.memo, k)
			}
		}
		for k := range s.memo {
			if len(s.memo) < maxMemo {
				break
			}
			delete(s.memo, k)
		}
	}
	res.Products = slices.Clone(res.Products)
	s.memo[key] = memoEntry{res: res, expires: now.Add(s.opts.MemoFor)}
}

// search runs a search through the cache.
func (s *Service) search(ctx context.Context, f Filters) (SearchResult, error) {
	res := SearchResult{Page: f.Page, PageSize: f.PageSize}
	q := s.upstreamQuery(f)
	need := f.Page * f.PageSize
	localSort := f.Sort != SortRelevance && upstreamSort(f.Sort) == ""
	var matched []Product
	var upstreamTotal, scanned int
	exhausted := false
	enriched := 0
	seen := map[int64]bool{}
	for page := 1; page <= s.opts.ScanPages; page++ {
		q.PageNo = page
		pg, stale, err := s.searchPage(ctx, q)
		if err != nil {
			if page == 1 {
				return res, err
			}
			// A later page failing leaves what was found; the total becomes an estimate.
			s.opts.Logger.Warn("search: upstream page failed", "page", page, "err", err)
			break
		}
		if stale.stale {
			res.Stale, res.StaleReason = true, stale.reason
		}
		upstreamTotal = pg.TotalRecords
		var candidates []Product
		for _, ap := range pg.Products {
			if seen[ap.ID] {
				continue
			}
			seen[ap.ID] = true
			scanned++
			p := fromAffiliate(ap, f)
			if passesCheap(&p, f) {
				candidates = append(candidates, p)
			}
		}
		if f.FreeShipping || f.MaxDeliveryDays > 0 {
			// The shipping filters need each candidate's shipping: fetch this page's in parallel,
			// within the search's enrichment budget.
			candidates = candidates[:min(len(candidates), s.opts.EnrichLimit-enriched)]
			enriched += len(candidates)
			ptrs := make([]*Product, len(candidates))
			for i := range candidates {
				ptrs[i] = &candidates[i]
			}
			s.enrich(ctx, ptrs, f)
			candidates = slices.DeleteFunc(candidates, func(p Product) bool { return !passesShipping(&p, f) })
		}
		matched = append(matched, candidates...)
		if len(pg.Products) < upstreamPageSize || page*upstreamPageSize >= pg.TotalRecords {
			exhausted = true
			break
		}
		if !localSort && len(matched) >= need {
			break
		}
		if (f.FreeShipping || f.MaxDeliveryDays > 0) && enriched >= s.opts.EnrichLimit {
			break // no budget left to check another page's shipping
		}
	}
	if localSort {
		sortLocal(matched, f.Sort)
	}
	res.Total = len(matched)
	if !exhausted {
		res.TotalIsEstimate = true
		if scanned > 0 && upstreamTotal > scanned {
			est := int(int64(len(matched)) * int64(upstreamTotal) / int64(scanned))
			res.Total = max(est, len(matched))
		}
	}
	from := (f.Page - 1) * f.PageSize
	if from >= len(matched) {
		if f.Page > 1 && len(matched) > 0 {
			return res, invalid("page", "page %d is past the last page (%d)", f.Page, (len(matched)+f.PageSize-1)/f.PageSize)
		}
		return res, nil
	}
	end := min(from+f.PageSize, len(matched))
	pageProducts := slices.Clone(matched[from:end])
	ptrs := make([]*Product, 0, len(pageProducts))
	for i := range pageProducts {
		if pageProducts[i].Shipping == nil {
			ptrs = append(ptrs, &pageProducts[i])
		}
	}
	s.enrich(ctx, ptrs, f)
	res.Products = pageProducts
	for _, p := range pageProducts {
		if p.Stale && !res.Stale {
			res.Stale, res.StaleReason = true, "AliExpress is not answering; some shipping data is from earlier"
		}
	}
	return res, nil
}

type staleInfo struct {
	stale  bool
	reason string
}

// searchPage fetches one upstream page through the cache.
func (s *Service) searchPage(ctx context.Context, q aliexpress.ProductQuery) (*aliexpress.ProductPage, staleInfo, error) {
	key := s.key("search", q.Keywords, joinIDs(q.CategoryIDs), q.MinSalePrice.String(), q.MaxSalePrice.String(),
		strconv.Itoa(q.PageNo), strconv.Itoa(q.PageSize), string(q.Sort), q.TargetCurrency, q.TargetLanguage,
		q.ShipToCountry, strconv.Itoa(q.DeliveryDays))
	pg, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Search, func(ctx context.Context) (*aliexpress.ProductPage, error) {
		pg, _, err := s.ae.Affiliate.QueryProducts(ctx, &q)
		return pg, err
	})
	if err != nil {
		return nil, staleInfo{}, s.upstreamError(err)
	}
	return pg, staleOf(r), nil
}

func staleOf(r cache.Result) staleInfo {
	if !r.Stale {
		return staleInfo{}
	}
	reason := "AliExpress is not answering; showing saved results from " + r.StoredAt.UTC().Format("15:04 MST")
	if errors.Is(r.Err, aliexpress.ErrRateLimited) || errors.Is(r.Err, aliexpress.ErrBudgetExhausted) {
		reason = "AliExpress is rate-limiting aliscout; showing saved results from " + r.StoredAt.UTC().Format("15:04 MST")
	}
	return staleInfo{stale: true, reason: reason}
}

func (s *Service) upstreamQuery(f Filters) aliexpress.ProductQuery {
	q := aliexpress.ProductQuery{
		Keywords:       f.Query,
		PageSize:       upstreamPageSize,
		Sort:           upstreamSort(f.Sort),
		TargetCurrency: f.Currency,
		TargetLanguage: f.Language,
		ShipToCountry:  f.ShipTo,
		MinSalePrice:   f.MinPrice,
		MaxSalePrice:   f.MaxPrice,
	}
	if f.CategoryID != 0 {
		q.CategoryIDs = []int64{f.CategoryID}
	}
	// AliExpress filters delivery by 3, 5, 7 or 10 days; take the tightest that keeps every
	// product the user asked for, and check the rest locally.
	if f.MaxDeliveryDays > 0 {
		for _, d := range []int{3, 5, 7, 10} {
			if d >= f.MaxDeliveryDays {
				q.DeliveryDays = d
				break
			}
		}
	}
	return q
}

func upstreamSort(sort string) aliexpress.ProductSort {
	switch sort {
	case SortPriceAsc:
		return aliexpress.SortSalePriceAsc
	case SortPriceDesc:
		return aliexpress.SortSalePriceDesc
	case SortOrdersDesc:
		return aliexpress.SortLastVolumeDesc
	case SortOrdersAsc:
		return aliexpress.SortLastVolumeAsc
	}
	return ""
}

// passesCheap applies the filters that need no further call.
func passesCheap(p *Product, f Filters) bool {
	if f.MinOrders > 0 && p.Orders30d < f.MinOrders {
		return false
	}
	if f.MinRating > 0 && p.Stars() < f.MinRating {
		return false
	}
	if f.MinDiscount > 0 && p.DiscountPercent < f.MinDiscount {
		return false
	}
	return true
}

// passesShipping applies the filters that need the product's shipping.
func passesShipping(p *Product, f Filters) bool {
	if len(p.Shipping) == 0 {
		return false
	}
	if f.FreeShipping && !p.FreeShipping() {
		return false
	}
	if f.MaxDeliveryDays > 0 {
		ok := false
		for _, o := range p.Shipping {
			if o.MaxDays > 0 && o.MaxDays <= f.MaxDeliveryDays && (!f.FreeShipping || o.Free) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func sortLocal(ps []Product, sort string) {
	key := func(p *Product) float64 {
		switch sort {
		case SortDiscount:
			return float64(p.DiscountPercent)
		case SortRating:
			return p.Stars()
		case SortCommission:
			return max(p.CommissionRate, p.HotCommissionRate)
		case SortDelivery:
			if o, ok := fastest(p); ok {
				return -float64(o.MaxDays)
			}
			return -1e9
		}
		return 0
	}
	slices.SortStableFunc(ps, func(a, b Product) int { return cmp.Compare(key(&b), key(&a)) })
}

func fastest(p *Product) (ShippingOption, bool) {
	var best ShippingOption
	found := false
	for _, o := range p.Shipping {
		if o.MaxDays > 0 && (!found || o.MaxDays < best.MaxDays) {
			best, found = o, true
		}
	}
	return best, found
}

// enrich fills in the shipping of products, concurrently and through the cache. A product whose
// shipping cannot be had keeps none; it is not an error for the search.
func (s *Service) enrich(ctx context.Context, ps []*Product, f Filters) {
	if len(ps) == 0 {
		return
	}
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			q, err := s.shippingFor(ctx, p, ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
			if err != nil {
				s.opts.Logger.Debug("search: no shipping", "product", p.ID, "err", err)
				p.Shipping = []ShippingOption{}
				return
			}
			p.Shipping = q.Options
			p.ShipTo = q.ShipTo
			if q.Stale {
				p.Stale = true
			}
		}()
	}
	wg.Wait()
}

// Product returns one product with its variants and its shipping to o.ShipTo. With a DS account
// the variants, stock and shipping come from the DS API and the affiliate data (commission,
// orders, affiliate link) is merged in; otherwise, or when the DS API fails for another reason
// than the product being gone, the product-level affiliate data is returned.
func (s *Service) Product(ctx context.Context, id int64, o ProductOptions) (Product, error) {
	o = normalizeOptions(o)
	if id <= 0 {
		return Product{}, invalid("id", "%d is not a product ID", id)
	}
	aff, affStale, affErr := s.affiliateProduct(ctx, id, o)
	if !s.opts.DS {
		if affErr != nil {
			return Product{}, affErr
		}
		p := aff
		p.Stale = p.Stale || affStale.stale
		s.withShipping(ctx, &p, o)
		return p, nil
	}
	d, dsStale, dsErr := s.dsProduct(ctx, id, o)
	switch {
	case dsErr == nil:
		p := mergeDS(aff, affErr == nil, d, o)
		p.Stale = affStale.stale || dsStale.stale
		s.withShipping(ctx, &p, o)
		return p, nil
	case ErrorCode(dsErr) == ENotFound:
		return Product{}, dsErr
	case ErrorCode(dsErr) == ENotShipped:
		if affErr == nil {
			p := aff
			p.ShipTo, p.Shipping = o.ShipTo, []ShippingOption{}
			return p, nil
		}
		return Product{}, dsErr
	case affErr == nil:
		s.opts.Logger.Warn("product: DS API failed, showing affiliate data", "product", id, "err", dsErr)
		p := aff
		p.Stale = affStale.stale
		s.withShipping(ctx, &p, o)
		return p, nil
	}
	return Product{}, dsErr
}

func (s *Service) withShipping(ctx context.Context, p *Product, o ProductOptions) {
	if p.notShipped {
		p.ShipTo, p.Shipping = o.ShipTo, []ShippingOption{}
		return
	}
	q, err := s.shippingFor(ctx, p, o)
	if err != nil {
		s.opts.Logger.Debug("product: no shipping", "product", p.ID, "err", err)
		p.ShipTo, p.Shipping = o.ShipTo, []ShippingOption{}
		return
	}
	p.ShipTo, p.Shipping = q.ShipTo, q.Options
	p.Stale = p.Stale || q.Stale
	s.perWarehouse(ctx, p, o)
}

// perWarehouse quotes shipping once per warehouse when the product's variants ship from several
// ("Ships From: China / France"): the fee, the delivery days and whether it ships at all differ.
func (s *Service) perWarehouse(ctx context.Context, p *Product, o ProductOptions) {
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
		opts := []ShippingOption{}
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

func normalizeOptions(o ProductOptions) ProductOptions {
	o.ShipTo = strings.ToUpper(strings.TrimSpace(o.ShipTo))
	if o.ShipTo == "" {
		o.ShipTo = DefaultShipTo
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	o.Language = strings.ToUpper(strings.TrimSpace(o.Language))
	if o.Language == "" {
		o.Language = DefaultLanguage
	}
	return o
}

func validateOptions(o ProductOptions) error {
	if !countryRe.MatchString(o.ShipTo) {
		return invalid("ship_to", "%q is not a two-letter country code", o.ShipTo)
	}
	if !contains(Currencies, o.Currency) {
		return invalid("currency", "%q is not a currency AliExpress offers", o.Currency)
	}
	if !contains(Languages, o.Language) {
		return invalid("language", "%q is not a language AliExpress offers", o.Language)
	}
	return nil
}

func (s *Service) affiliateProduct(ctx context.Context, id int64, o ProductOptions) (Product, staleInfo, error) {
	if err := validateOptions(o); err != nil {
		return Product{}, staleInfo{}, err
	}
	// productdetail.get leaves out products that do not ship to the country asked for; asking
	// again without it tells "does not ship there" from "not listed".
	for _, country := range []string{o.ShipTo, ""} {
		key := s.key("affproduct", strconv.FormatInt(id, 10), country, o.Currency, o.Language)
		ps, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Product, func(ctx context.Context) ([]aliexpress.Product, error) {
			ps, _, err := s.ae.Affiliate.ProductDetails(ctx, []int64{id}, &aliexpress.ProductDetailsOptions{
				TargetCurrency: o.Currency, TargetLanguage: o.Language, Country: country})
			return ps, err
		})
		if err != nil {
			return Product{}, staleInfo{}, s.upstreamError(err)
		}
		for _, ap := range ps {
			if ap.ID == id {
				f := DefaultFilters()
				f.ShipTo, f.Currency, f.Language = o.ShipTo, o.Currency, o.Language
				p := fromAffiliate(ap, f)
				p.FetchedAt = r.StoredAt
				if country == "" {
					p.notShipped = true
				}
				return p, staleOf(r), nil
			}
		}
	}
	return Product{}, staleInfo{}, &Error{Code: ENotFound, Message: fmt.Sprintf("product %d is not (or no longer) listed on AliExpress", id)}
}

func (s *Service) dsProduct(ctx context.Context, id int64, o ProductOptions) (*aliexpress.DSProduct, staleInfo, error) {
	if err := validateOptions(o); err != nil {
		return nil, staleInfo{}, err
	}
	key := s.key("dsproduct", strconv.FormatInt(id, 10), o.ShipTo, o.Currency, o.Language)
	d, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Product, func(ctx context.Context) (*aliexpress.DSProduct, error) {
		d, _, err := s.ae.DS.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: o.ShipTo, Currency: o.Currency, Language: strings.ToLower(o.Language)})
		return d, err
	})
	if err != nil {
		return nil, staleInfo{}, s.upstreamError(err)
	}
	return d, staleOf(r), nil
}

// Shipping returns the shipping options of a product to o.ShipTo.
func (s *Service) Shipping(ctx context.Context, id int64, o ProductOptions) (ShippingQuote, error) {
	o = normalizeOptions(o)
	if err := validateOptions(o); err != nil {
		return ShippingQuote{}, err
	}
	if id <= 0 {
		return ShippingQuote{}, invalid("id", "%d is not a product ID", id)
	}
	var p Product
	if s.opts.DS {
		d, _, err := s.dsProduct(ctx, id, o)
		if err != nil {
			if ErrorCode(err) == ENotShipped {
				return ShippingQuote{ProductID: id, ShipTo: o.ShipTo, Options: []ShippingOption{}, Source: SourceDS}, nil
			}
			return ShippingQuote{}, err
		}
		p = mergeDS(Product{}, false, d, o)
	} else {
		ap, _, err := s.affiliateProduct(ctx, id, o)
		if err != nil {
			return ShippingQuote{}, err
		}
		p = ap
	}
	return s.shippingFor(ctx, &p, o)
}

// shippingFor fetches the shipping of p (which knows its SKUs and price) to o.ShipTo, quoted for
// the variant that sets the product's price.
func (s *Service) shippingFor(ctx context.Context, p *Product, o ProductOptions) (ShippingQuote, error) {
	o = normalizeOptions(o)
	sku := pricedSKU(p)
	if s.opts.DS && sku != "" {
		return s.freight(ctx, p, sku, o)
	}
	q := ShippingQuote{ProductID: p.ID, ShipTo: o.ShipTo, Options: []ShippingOption{}}
	q.Source = SourceAffiliate
	key := s.key("affshipping", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency, p.Price.String())
	sq, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Shipping, func(ctx context.Context) (*aliexpress.ShippingQuote, error) {
		sq, _, err := s.ae.Affiliate.ProductShipping(ctx, &aliexpress.ShippingQuery{ProductID: p.ID, SKUID: sku, ShipToCountry: o.ShipTo,
			TargetCurrency: o.Currency, TargetSalePrice: p.Price, TargetLanguage: o.Language, TaxRate: p.taxRate})
		if errors.Is(err, aliexpress.ErrDeliveryUnavailable) || errors.Is(err, aliexpress.ErrNoResults) {
			return nil, nil
		}
		return sq, err
	})
	if err != nil {
		return q, s.upstreamError(err)
	}
	if sq != nil {
		fee := sq.ShippingFee
		if fee.IsZero() {
			fee = Money{Currency: o.Currency}
		}
		q.Options = append(q.Options, ShippingOption{Code: "STANDARD", Company: "Standard shipping", Fee: fee, Free: fee.Amount == 0,
			MinDays: sq.MinDeliveryDays, MaxDays: sq.MaxDeliveryDays, ShipFrom: sq.ShipFromCountry, Tracking: true})
	}
	q.Stale, q.FetchedAt = r.Stale, r.StoredAt
	sortShipping(q.Options)
	return q, nil
}

// pricedSKU is the SKU whose price is the product's: the cheapest in stock, as mergeDS chose it.
func pricedSKU(p *Product) string {
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
func (s *Service) freight(ctx context.Context, p *Product, sku string, o ProductOptions) (ShippingQuote, error) {
	o = normalizeOptions(o)
	q := ShippingQuote{ProductID: p.ID, ShipTo: o.ShipTo, Options: []ShippingOption{}, Source: SourceDS}
	key := s.key("freight", strconv.FormatInt(p.ID, 10), sku, o.ShipTo, o.Currency)
	opts, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Shipping, func(ctx context.Context) ([]aliexpress.DeliveryOption, error) {
		opts, _, err := s.ae.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: sku, Quantity: 1, ShipTo: o.ShipTo,
			Currency: o.Currency, Language: "en", Locale: "en_US"})
		if errors.Is(err, aliexpress.ErrDeliveryUnavailable) {
			return []aliexpress.DeliveryOption{}, nil // "does not ship there" is an answer worth caching
		}
		return opts, err
	})
	if err != nil {
		return q, s.upstreamError(err)
	}
	price := p.Price
	if v, ok := p.Variant(sku); ok {
		price = v.Price
	}
	for _, d := range opts {
		fee := d.FeeFor(price)
		q.Options = append(q.Options, ShippingOption{Code: d.Code, Company: d.Company, Fee: fee, Free: fee.Amount == 0,
			MinDays: d.MinDays, MaxDays: d.MaxDays, Tracking: d.Tracking, ShipFrom: d.ShipFrom})
	}
	q.Stale, q.FetchedAt = r.Stale, r.StoredAt
	sortShipping(q.Options)
	return q, nil
}

func sortShipping(opts []ShippingOption) {
	slices.SortStableFunc(opts, func(a, b ShippingOption) int {
		return cmp.Or(cmp.Compare(a.Fee.Amount, b.Fee.Amount), cmp.Compare(a.MaxDays, b.MaxDays))
	})
}

// Categories returns AliExpress's category tree, top-level categories first, each followed by its
// children, by name.
func (s *Service) Categories(ctx context.Context, language string) ([]Category, error) {
	cats, _, err := cache.FetchJSON(ctx, s.cache, s.key("categories"), s.opts.TTLs.Categories, func(ctx context.Context) ([]aliexpress.Category, error) {
		cs, _, err := s.ae.Affiliate.Categories(ctx)
		return cs, err
	})
	if err != nil {
		return nil, s.upstreamError(err)
	}
	var tops []Category
	children := map[int64][]Category{}
	for _, c := range cats {
		cc := Category{ID: c.ID, Name: c.Name, ParentID: c.ParentID}
		if c.ParentID == 0 {
			tops = append(tops, cc)
		} else {
			children[c.ParentID] = append(children[c.ParentID], cc)
		}
	}
	byName := func(a, b Category) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }
	slices.SortFunc(tops, byName)
	out := make([]Category, 0, len(cats))
	for _, t := range tops {
		out = append(out, t)
		kids := children[t.ID]
		slices.SortFunc(kids, byName)
		out = append(out, kids...)
	}
	return out, nil
}

// maxLinks bounds one links or import request.
const maxLinks = 200

// Links turns AliExpress URLs (product pages, short links, IDs) into tracked affiliate links.
// Each source gets its own answer; one that is not an AliExpress product says why.
func (s *Service) Links(ctx context.Context, sources []string) ([]Link, error) {
	if len(sources) > maxLinks {
		return nil, invalid("urls", "%d links; at most %d at a time", len(sources), maxLinks)
	}
	links := make([]Link, len(sources))
	ids := s.resolveAll(ctx, sources)
	var canon []string
	for i, src := range sources {
		links[i].Source = src
		if ids[i].err != nil {
			links[i].Error = ids[i].err.Error()
			continue
		}
		links[i].ProductID = ids[i].id
		canon = append(canon, aliexpress.ProductURL(ids[i].id))
	}
	if len(canon) == 0 {
		return links, nil
	}
	slices.Sort(canon)
	canon = slices.Compact(canon)
	made, _, err := cache.FetchJSON(ctx, s.cache, s.key(append([]string{"links", s.ae.TrackingID()}, canon...)...), 24*time.Hour,
		func(ctx context.Context) ([]aliexpress.PromotionLink, error) {
			pl, _, err := s.ae.Affiliate.GenerateLinks(ctx, canon, nil)
			return pl, err
		})
	if err != nil {
		return nil, s.upstreamError(err)
	}
	byURL := map[string]aliexpress.PromotionLink{}
	for _, m := range made {
		if id, err := aliexpress.ParseProductID(m.SourceValue); err == nil {
			byURL[aliexpress.ProductURL(id)] = m
		}
	}
	for i := range links {
		if links[i].ProductID == 0 {
			continue
		}
		m, ok := byURL[aliexpress.ProductURL(links[i].ProductID)]
		switch {
		case ok && m.PromotionLink != "":
			links[i].URL = m.PromotionLink
		case ok && m.Message != "":
			links[i].Error = "AliExpress made no link: " + m.Message
		default:
			links[i].Error = "AliExpress made no link for this product"
		}
	}
	return links, nil
}

type resolved struct {
	id  int64
	err error
}

// resolveAll turns each input into a product ID: parsed offline when it can be, short links
// followed over HTTP (only to AliExpress hosts).
func (s *Service) resolveAll(ctx context.Context, inputs []string) []resolved {
	out := make([]resolved, len(inputs))
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i, in := range inputs {
		id, err := aliexpress.ParseProductID(in)
		if err == nil {
			out[i] = resolved{id: id}
			continue
		}
		if !errors.Is(err, aliexpress.ErrShortLink) {
			out[i] = resolved{err: fmt.Errorf("not an AliExpress product link or ID")}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			id, err := aliexpress.ResolveProductID(ctx, s.ae.HTTPClient(), in)
			if err != nil {
				out[i] = resolved{err: fmt.Errorf("the short link could not be followed to a product page")}
				return
			}
			out[i] = resolved{id: id}
		}()
	}
	wg.Wait()
	return out
}

// Import looks up every line a user pasted (URLs, short links, IDs) and says for each what was
// found or why not. Blank lines are skipped; the same product twice is found twice.
func (s *Service) Import(ctx context.Context, inputs []string, o ProductOptions) []ImportResult {
	o = normalizeOptions(o)
	var lines []string
	for _, in := range inputs {
		if t := strings.TrimSpace(in); t != "" {
			lines = append(lines, t)
		}
	}
	out := make([]ImportResult, len(lines))
	if err := validateOptions(o); err != nil {
		for i, l := range lines {
			out[i] = ImportResult{Input: l, Error: err.Error(), Code: EInvalid}
		}
		return out
	}
	ids := s.resolveAll(ctx, lines)
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i, l := range lines {
		out[i].Input = l
		if ids[i].err != nil {
			out[i].Error, out[i].Code = ids[i].err.Error(), EInvalid
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := s.Product(ctx, ids[i].id, o)
			if err != nil {
				out[i].Code = ErrorCode(err)
				out[i].Error = err.Error()
				if out[i].Code == ENotFound {
					out[i].Error = fmt.Sprintf("product %d is not (or no longer) listed on AliExpress", ids[i].id)
				}
				return
			}
			out[i].Product = &p
		}()
	}
	wg.Wait()
	return out
}

// healthEvery bounds how often Health calls AliExpress while it is failing.
const healthEvery = 30 * time.Second

// Health checks that AliExpress answers and accepts aliscout's credentials, through the
// categories cache so that a healthy instance spends no call on it.
func (s *Service) Health(ctx context.Context) Health {
	now := s.opts.Now()
	s.healthMu.Lock()
	last := s.lastHealth
	s.healthMu.Unlock()
	h := Health{Simulated: s.opts.Simulated, Gateway: s.ae.Gateway(), AppKey: s.ae.AppKey(), TrackingID: s.ae.TrackingID() != "", DS: s.opts.DS}
	h.CallsToday, h.DailyBudget = s.ae.BudgetUsed()
	if !last.CheckedAt.IsZero() && !last.OK && now.Sub(last.CheckedAt) < healthEvery {
		h.OK, h.Code, h.Message, h.CheckedAt = last.OK, last.Code, last.Message, last.CheckedAt
		return h
	}
	_, err := s.Categories(ctx, DefaultLanguage)
	h.CheckedAt = now
	if err != nil {
		h.Code = ErrorCode(err)
		h.Message = err.Error()
	} else {
		h.OK = true
	}
	s.healthMu.Lock()
	s.lastHealth = h
	s.healthMu.Unlock()
	return h
}

// upstreamError turns an SDK error into an *Error the user interface understands.
func (s *Service) upstreamError(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	e := &Error{Code: EUpstream, Message: "AliExpress did not answer: try again in a moment", Err: err}
	switch {
	case errors.Is(err, aliexpress.ErrItemNotFound):
		e.Code, e.Message = ENotFound, "the product is not (or no longer) listed on AliExpress"
	case errors.Is(err, aliexpress.ErrNotAllowedToCountry), errors.Is(err, aliexpress.ErrDeliveryUnavailable):
		e.Code, e.Message = ENotShipped, "the product does not ship to that country"
	case errors.Is(err, aliexpress.ErrRateLimited):
		e.Code, e.Message = ERateLimited, "AliExpress is rate-limiting aliscout: try again in a moment"
	case errors.Is(err, aliexpress.ErrBudgetExhausted):
		e.Code, e.Message = ERateLimited, "today's AliExpress call budget is used up; it resets at midnight GMT+8"
	case errors.Is(err, aliexpress.ErrSignature):
		e.Code, e.Message = EConfig, "AliExpress refused the request signature: check ALIEXPRESS_APP_SECRET"
	case errors.Is(err, aliexpress.ErrAppKey):
		e.Code, e.Message = EConfig, "AliExpress does not know the app key: check ALIEXPRESS_APP_KEY"
	case errors.Is(err, aliexpress.ErrPublisherNotRegistered):
		e.Code, e.Message = EConfig, "the app's account is not an approved AliExpress affiliate publisher"
	case errors.Is(err, aliexpress.ErrPermission):
		e.Code, e.Message = EConfig, "the app may not call this AliExpress API: check its permissions in the App Console"
	case errors.Is(err, aliexpress.ErrIPNotAllowed):
		e.Code, e.Message = EConfig, "this server's IP address is not on the app's IP whitelist"
	case errors.Is(err, aliexpress.ErrInvalidToken):
		e.Code, e.Message = EConfig, "the dropshipping access token is invalid or expired: authorize again"
	case errors.Is(err, aliexpress.ErrTimestamp):
		e.Code, e.Message = EConfig, "AliExpress refused the request time: check the server's clock"
	case errors.Is(err, aliexpress.ErrInvalidParameter):
		e.Code, e.Message = EInvalid, "AliExpress refused a parameter"
		var ae *aliexpress.Error
		if errors.As(err, &ae) && ae.Message != "" {
			e.Message += ": " + ae.Message
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		e.Message = "the request was cancelled or took too long"
	}
	return e
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
