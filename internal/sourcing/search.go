package sourcing

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// memoEntry is a decoded search result and when it stops being served.
type memoEntry struct {
	res     catalog.SearchResult
	expires time.Time
}

// maxMemo bounds the decoded search results kept in memory.
const maxMemo = 512

// upstreamPageSize is the page size aliscout asks AliExpress for: its maximum, so that one call
// serves as many pages of ours as it can.
const upstreamPageSize = 50

// Search runs a search. AliExpress applies what it can (keywords, category, price, sort by price
// or orders, ship-to, delivery days); aliscout applies the rest over a bounded number of upstream
// pages, each cached, and says when its total is an estimate.
func (s *Service) Search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
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

func (s *Service) memoGet(key string) (catalog.SearchResult, bool) {
	if s.opts.MemoFor < 0 {
		return catalog.SearchResult{}, false
	}
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	e, ok := s.memo.m[key]
	if !ok || !s.opts.Now().Before(e.expires) {
		return catalog.SearchResult{}, false
	}
	res := e.res
	res.Products = slices.Clone(e.res.Products) // callers may change their copy
	return res, true
}

func (s *Service) memoPut(key string, res catalog.SearchResult) {
	if s.opts.MemoFor < 0 {
		return
	}
	now := s.opts.Now()
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if len(s.memo.m) >= maxMemo {
		for k, e := range s.memo.m { // drop the expired ones, or else any one
			if !now.Before(e.expires) {
				delete(s.memo.m, k)
			}
		}
		for k := range s.memo.m {
			if len(s.memo.m) < maxMemo {
				break
			}
			delete(s.memo.m, k)
		}
	}
	res.Products = slices.Clone(res.Products)
	s.memo.m[key] = memoEntry{res: res, expires: now.Add(s.opts.MemoFor)}
}

// search runs a search through the cache.
func (s *Service) search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
	res := catalog.SearchResult{Page: f.Page, PageSize: f.PageSize}
	q := s.upstreamQuery(f)
	need := f.Page * f.PageSize
	localSort := f.Sort != catalog.SortRelevance && upstreamSort(f.Sort) == ""
	var matched []catalog.Product
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
		var candidates []catalog.Product
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
			ptrs := make([]*catalog.Product, len(candidates))
			for i := range candidates {
				ptrs[i] = &candidates[i]
			}
			s.enrich(ctx, ptrs, f)
			candidates = slices.DeleteFunc(candidates, func(p catalog.Product) bool { return !passesShipping(&p, f) })
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
			return res, catalog.Invalid("page", "page %d is past the last page (%d)", f.Page, (len(matched)+f.PageSize-1)/f.PageSize)
		}
		return res, nil
	}
	end := min(from+f.PageSize, len(matched))
	pageProducts := slices.Clone(matched[from:end])
	ptrs := make([]*catalog.Product, 0, len(pageProducts))
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

// searchPage fetches one upstream page through the cache.
func (s *Service) searchPage(ctx context.Context, q aliexpress.ProductQuery) (*aliexpress.ProductPage, staleInfo, error) {
	key := s.key("search", q.Keywords, joinIDs(q.CategoryIDs), q.MinSalePrice.String(), q.MaxSalePrice.String(),
		strconv.Itoa(q.PageNo), strconv.Itoa(q.PageSize), string(q.Sort), q.TargetCurrency, q.TargetLanguage,
		q.ShipToCountry, strconv.Itoa(q.DeliveryDays))
	pg, r, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Search, func(ctx context.Context) (*aliexpress.ProductPage, error) {
		return guarded(s, "aliexpress.affiliate.product.query", func() (*aliexpress.ProductPage, error) {
			pg, _, err := s.ae.Affiliate.QueryProducts(ctx, &q)
			return pg, err
		})
	})
	if err != nil {
		return nil, staleInfo{}, Translate(err)
	}
	return pg, staleOf(r), nil
}

func (s *Service) upstreamQuery(f catalog.Filters) aliexpress.ProductQuery {
	q := aliexpress.ProductQuery{
		Keywords:       f.Query,
		PageSize:       upstreamPageSize,
		Sort:           upstreamSort(f.Sort),
		TargetCurrency: f.Currency,
		TargetLanguage: f.Language,
		ShipToCountry:  f.ShipTo,
		MinSalePrice:   sdkMoney(f.MinPrice),
		MaxSalePrice:   sdkMoney(f.MaxPrice),
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
	case catalog.SortPriceAsc:
		return aliexpress.SortSalePriceAsc
	case catalog.SortPriceDesc:
		return aliexpress.SortSalePriceDesc
	case catalog.SortOrdersDesc:
		return aliexpress.SortLastVolumeDesc
	case catalog.SortOrdersAsc:
		return aliexpress.SortLastVolumeAsc
	}
	return ""
}

// passesCheap applies the filters that need no further call.
func passesCheap(p *catalog.Product, f catalog.Filters) bool {
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
func passesShipping(p *catalog.Product, f catalog.Filters) bool {
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

func sortLocal(ps []catalog.Product, sort string) {
	key := func(p *catalog.Product) float64 {
		switch sort {
		case catalog.SortDiscount:
			return float64(p.DiscountPercent)
		case catalog.SortRating:
			return p.Stars()
		case catalog.SortCommission:
			return max(p.CommissionRate, p.HotCommissionRate)
		case catalog.SortDelivery:
			if o, ok := fastest(p); ok {
				return -float64(o.MaxDays)
			}
			return -1e9
		}
		return 0
	}
	slices.SortStableFunc(ps, func(a, b catalog.Product) int { return cmp.Compare(key(&b), key(&a)) })
}

func fastest(p *catalog.Product) (catalog.ShippingOption, bool) {
	var best catalog.ShippingOption
	found := false
	for _, o := range p.Shipping {
		if o.MaxDays > 0 && (!found || o.MaxDays < best.MaxDays) {
			best, found = o, true
		}
	}
	return best, found
}

// enrich fills in the shipping of products, concurrently and through the cache. A product whose
// shipping cannot be had (AliExpress failing, or the request's time run out) is marked
// ShippingUnknown; it is not an error for the search.
func (s *Service) enrich(ctx context.Context, ps []*catalog.Product, f catalog.Filters) {
	if len(ps) == 0 {
		return
	}
	errs := forEach(ctx, s.opts.Parallel, len(ps), func(ctx context.Context, i int) error {
		p := ps[i]
		q, err := s.shippingFor(ctx, p, catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
		if err != nil {
			s.opts.Logger.Debug("search: no shipping", "product", p.ID, "err", err)
			p.Shipping, p.ShippingUnknown = nil, true
			return nil
		}
		p.Shipping = q.Options
		p.ShipTo = q.ShipTo
		if q.Stale {
			p.Stale = true
		}
		return nil
	})
	for i, err := range errs {
		if err != nil { // not started: the request's time ran out, or a panic
			ps[i].Shipping, ps[i].ShippingUnknown = nil, true
		}
	}
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
