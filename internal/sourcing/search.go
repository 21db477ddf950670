package sourcing

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// memoEntry is a decoded search result and when it stops being served.
type memoEntry struct {
	res     catalog.SearchResult
	expires time.Time
	// When the pending shipping of res was last looked for in the cache, and the cache's writes
	// then: with no write since, a repeat need not look again for a while (pendingRecheck), which
	// only other replicas' writes can change.
	checkedAt     time.Time
	checkedWrites uint64
}

// checked says e's pending shipping was looked for recently enough, at now with the cache at
// writes, that a repeat need not look again.
func (e memoEntry) checked(now time.Time, writes uint64) bool {
	return writes == e.checkedWrites && now.Sub(e.checkedAt) < pendingRecheck
}

// pendingRecheck is how often a remembered search looks for the pending shipping that other
// replicas may have fetched; this process's own fetches are seen at once.
const pendingRecheck = 5 * time.Second

// maxMemo bounds the decoded search results kept in memory: like cache's maxDecoded, few enough
// that what a burst of distinct searches leaves adds little to each garbage collection's marking.
const maxMemo = 128

// upstreamPageSize is the page size aliscout asks AliExpress for: its maximum, so that one call
// serves as many pages of ours as it can.
const upstreamPageSize = 50

// Search runs a search. AliExpress applies what it can (keywords, category, price, sort by price
// or orders, ship-to, delivery days); aliscout applies the rest over a bounded number of upstream
// pages, each cached, and says when its total is an estimate.
func (s *Service) Search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
	key := f.Key()
	if res, e, ok := s.memoGet(key); ok {
		now, writes := s.opts.Now(), s.cache.Writes()
		if !e.checked(now, writes) {
			filled := s.refreshPending(ctx, res.Products, f)
			res = s.memoChecked(key, e.expires, res, filled, now, writes)
		}
		return res, nil
	}
	res, err := s.search(ctx, f)
	if err == nil && !res.Stale {
		s.memoPut(key, res)
	}
	return res, err
}

// SearchRevision is the Revision of the result Search(ctx, f) would give now, key being f.Key(),
// when that is a remembered one checked recently enough that Search would only copy it: a caller
// holding what it made of that Revision may use it again without the result. ok is false
// whenever Search would search, check or fill in anything; the caller then calls Search.
func (s *Service) SearchRevision(key string) (uint64, bool) {
	if s.opts.MemoFor < 0 {
		return 0, false
	}
	now, writes := s.opts.Now(), s.cache.Writes()
	s.memo.mu.Lock()
	e, ok := s.memo.m[key]
	s.memo.mu.Unlock()
	if !ok || !now.Before(e.expires) || !e.checked(now, writes) || e.res.Revision == 0 {
		return 0, false
	}
	return e.res.Revision, true
}

func (s *Service) memoGet(key string) (catalog.SearchResult, memoEntry, bool) {
	if s.opts.MemoFor < 0 {
		return catalog.SearchResult{}, memoEntry{}, false
	}
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	e, ok := s.memo.m[key]
	if !ok || !s.opts.Now().Before(e.expires) {
		return catalog.SearchResult{}, memoEntry{}, false
	}
	res := e.res
	res.Products = slices.Clone(e.res.Products) // callers may change their copy
	return res, e, true
}

// memoChecked keeps res, the remembered search of key with its pending shipping looked for at
// now with the cache at writes, unless the entry was replaced meanwhile; filled says some of it
// was filled in. It returns res with its Revision.
func (s *Service) memoChecked(key string, expires time.Time, res catalog.SearchResult, filled bool, now time.Time, writes uint64) catalog.SearchResult {
	if filled {
		res.Revision = newRevision()
	}
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if e, ok := s.memo.m[key]; ok && e.expires.Equal(expires) {
		kept := res
		kept.Products = slices.Clone(res.Products)
		s.memo.m[key] = memoEntry{res: kept, expires: expires, checkedAt: now, checkedWrites: writes}
	}
	return res
}

func (s *Service) memoPut(key string, res catalog.SearchResult) {
	if s.opts.MemoFor < 0 {
		return
	}
	now := s.opts.Now()
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if len(s.memo.m) >= maxMemo {
		s.memo.dropEnded(now) // the ended ones, or else any one
		for k := range s.memo.m {
			if len(s.memo.m) < maxMemo {
				break
			}
			delete(s.memo.m, k)
		}
	}
	res.Products = slices.Clone(res.Products)
	res.Revision = newRevision()
	s.memo.m[key] = memoEntry{res: res, expires: now.Add(s.opts.MemoFor)}
	memo, clock := s.memo, s.opts.Now
	cache.SweepLater(&memo.mu, &memo.sweeping, s.opts.MemoFor, func() bool { return memo.dropEnded(clock()) })
}

// revisions numbers the remembered search results (SearchResult.Revision) of every Service in
// the process.
var revisions atomic.Uint64

func newRevision() uint64 { return revisions.Add(1) }

// search runs a search through the cache.
//
// Pages: the products a search can serve are those it can scan (ScanPages upstream pages and,
// for filters and sorts that need shipping, EnrichLimit enriched products). When the scan reaches
// the end of that, the last page is known (SearchResult.LastPage) and a page past it is answered
// with the last page (PastEnd); otherwise the scan goes half a page past the page asked for, so
// that More says for certain there is a next page.
//
// Stock: a page's shipping quotes tell which of its products are sold out. With f.InStock those
// are left out and the page is filled from the next products; the query remembers them (see
// queryState), so the next page starts where this one ended.
func (s *Service) search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
	res := catalog.SearchResult{Page: f.Page, PageSize: f.PageSize}
	q := s.upstreamQuery(f)
	stateKey := s.queryKey(f)
	state := s.loadState(ctx, stateKey)
	known := map[int64]bool{}
	if f.InStock {
		for _, id := range state.SoldOut {
			known[id] = true
		}
	}
	slack := f.PageSize / 2
	need := f.Page*f.PageSize + slack
	localSort := f.Sort != catalog.SortRelevance && upstreamSort(f.Sort) == ""
	// The shipping filters and the delivery sort judge each product by its shipping: those
	// products get theirs while they are scanned, within the enrichment budget.
	needShipping := f.FreeShipping || f.MaxDeliveryDays > 0 || f.Sort == catalog.SortDelivery
	var matched []catalog.Product
	var upstreamTotal, examined, served int
	exhausted := false // every upstream product was examined
	complete := true   // matched holds every product this search can serve
	enriched := 0
	seen := map[int64]bool{}
	for page := 1; page <= s.opts.ScanPages; page++ {
		q.PageNo = page
		pg, r, err := s.searchPage(ctx, q)
		if err != nil {
			if page == 1 {
				return res, err
			}
			// A later page failing leaves what was found; the total becomes an estimate.
			s.opts.Logger.Warn("search: upstream page failed", "page", page, "err", err)
			break
		}
		if st := staleOf(r); st.stale {
			res.Stale, res.StaleReason = true, st.reason
		}
		upstreamTotal = pg.TotalRecords
		var candidates []catalog.Product
		for _, ap := range pg.Products {
			if seen[ap.ID] {
				continue
			}
			seen[ap.ID] = true
			p := fromAffiliate(ap, f)
			p.FetchedAt = r.StoredAt
			if !passesCheap(&p, f) {
				examined++
				continue
			}
			candidates = append(candidates, p)
		}
		cut := false
		if needShipping {
			// Fetch this page's shipping in parallel, within the search's enrichment budget.
			if room := s.opts.EnrichLimit - enriched; len(candidates) > room {
				candidates, cut = candidates[:max(room, 0)], true
			}
			enriched += len(candidates)
			examined += len(candidates)
			ptrs := make([]*catalog.Product, len(candidates))
			for i := range candidates {
				ptrs[i] = &candidates[i]
			}
			s.enrich(ctx, ptrs, f)
			candidates = slices.DeleteFunc(candidates, func(p catalog.Product) bool { return !passesShipping(&p, f) })
		} else {
			examined += len(candidates)
		}
		matched = append(matched, candidates...)
		for _, p := range candidates {
			if !known[p.ID] && !(f.InStock && p.SoldOut()) {
				served++
			}
		}
		if !cut && (len(pg.Products) < upstreamPageSize || page*upstreamPageSize >= pg.TotalRecords) {
			exhausted = true
			break
		}
		if needShipping && enriched >= s.opts.EnrichLimit {
			break // no budget left to check another page's shipping: this is all there is
		}
		if !localSort && served > need {
			complete = false // the page is full and there are more
			break
		}
	}
	if localSort {
		sortLocal(matched, f)
	}
	res.Total, res.TotalIsEstimate = state.estimate(len(matched), examined, upstreamTotal, exhausted)

	// The products this search serves, in order: the matches less those known to be sold out.
	list := make([]*catalog.Product, 0, len(matched))
	for i := range matched {
		if p := &matched[i]; !known[p.ID] && !(f.InStock && p.SoldOut()) {
			list = append(list, p)
		}
	}
	pages := max((len(list)+f.PageSize-1)/f.PageSize, 1)
	if complete && f.Page > pages {
		res.Page, res.PastEnd = pages, true
	}
	from := (res.Page - 1) * f.PageSize
	var pageProducts []catalog.Product
	next := from
	budget := s.opts.EnrichLimit
	for len(pageProducts) < f.PageSize && next < len(list) {
		// Take what the page lacks, fetch the shipping (and with it the stock) of those that
		// have none yet, and leave out the ones that turn out to be sold out.
		batch := list[next:min(next+f.PageSize-len(pageProducts), len(list))]
		next += len(batch)
		var ptrs []*catalog.Product
		for _, p := range batch {
			if p.Shipping == nil && !p.ShippingUnknown {
				ptrs = append(ptrs, p)
			}
		}
		if len(ptrs) > budget {
			for _, p := range ptrs[budget:] {
				p.ShippingUnknown = true
			}
			ptrs = ptrs[:budget]
		}
		budget -= len(ptrs)
		if s.opts.LazyShipping && !shippingMatters(f) {
			s.enrichCached(ctx, ptrs, f) // the rest is fetched as the page asks (SearchShipping)
		} else {
			s.enrich(ctx, ptrs, f)
		}
		for _, p := range batch {
			if f.InStock && p.SoldOut() {
				res.SoldOutHidden++
				state.addSoldOut(p.ID)
				continue
			}
			pageProducts = append(pageProducts, *p)
		}
	}
	if f.InStock {
		for i := range matched {
			if matched[i].SoldOut() {
				state.addSoldOut(matched[i].ID)
			}
		}
	}
	left := len(list) - next // products after this page
	if complete {
		res.LastPage = res.Page + (left+f.PageSize-1)/f.PageSize
		res.Served = from + len(pageProducts) + left
	}
	// Past the products scanned, a scan that stopped early has more to give; a next page is
	// offered while this one is full.
	res.More = left > 0 || (!complete && len(pageProducts) == f.PageSize)
	if f.Sort == catalog.SortPriceAsc || f.Sort == catalog.SortPriceDesc {
		// A product whose advertised variant is sold out is priced by the variant one can buy,
		// which can move it within the page.
		sortLocal(pageProducts, f)
	}
	res.Products = pageProducts
	for _, p := range pageProducts {
		if p.Stale && !res.Stale {
			res.Stale, res.StaleReason = true, "AliExpress is not answering; some shipping data is from earlier"
		}
	}
	s.saveState(ctx, stateKey, state)
	return res, nil
}

// queryState is what aliscout has learned about a query across its pages and sorts, kept in the
// cache for the search TTL under queryKey: the total it estimated first (so that the figure does
// not move between pages and sorts) and the products its pages found sold out (so that the next
// page starts where the one before it ended).
type queryState struct {
	Total   int     `json:"total"`
	Exact   bool    `json:"exact"`
	SoldOut []int64 `json:"sold_out,omitempty"`
	changed bool
}

// queryKey is the key of f's queryState: the filters without page, page size, sort, shipping
// rule and in-stock choice, which do not change what matches.
func (s *Service) queryKey(f catalog.Filters) string {
	g := f
	g.Page, g.PageSize, g.Sort, g.ShipRule, g.InStock = 1, catalog.DefaultPageSize, catalog.SortRelevance, catalog.ShipRule{By: catalog.DefaultShipRule}, true
	return s.key("query", g.Values().Encode())
}

func (s *Service) loadState(ctx context.Context, key string) *queryState {
	st, _, err := cache.FetchJSON(ctx, s.cache, key, s.opts.TTLs.Search, func(context.Context) (queryState, error) {
		return queryState{Total: -1}, nil
	})
	if err != nil {
		st = queryState{Total: -1}
	}
	return &st
}

func (s *Service) saveState(ctx context.Context, key string, st *queryState) {
	if !st.changed {
		return
	}
	if err := cache.StoreJSON(ctx, s.cache, key, s.opts.TTLs.Search, st); err != nil {
		s.opts.Logger.Debug("search: keep the query's state", "err", err)
	}
}

func (st *queryState) addSoldOut(id int64) {
	if !slices.Contains(st.SoldOut, id) {
		st.SoldOut = append(st.SoldOut, id)
		st.changed = true
	}
}

// estimate returns the total of a search and whether it is an estimate. It is exact when every
// upstream product was examined. Otherwise the first estimate made for the query (matches among
// the examined products, scaled to AliExpress's total) is kept, so that every page and sort of
// the query shows the same figure; it only grows when more matches than it says have been seen.
func (st *queryState) estimate(matched, examined, upstreamTotal int, exhausted bool) (int, bool) {
	switch {
	case exhausted:
		if !st.Exact || st.Total != matched {
			st.Total, st.Exact, st.changed = matched, true, true
		}
		return matched, false
	case st.Exact:
		return st.Total, false
	case st.Total < 0:
		est := matched
		if examined > 0 && upstreamTotal > examined {
			est = max(int(int64(matched)*int64(upstreamTotal)/int64(examined)), matched)
		}
		st.Total, st.changed = est, true
	case st.Total < matched:
		st.Total, st.changed = matched, true
	}
	return st.Total, true
}

// searchPage fetches one upstream page through the cache; the result says when the page was
// fetched from AliExpress and whether it is stale.
func (s *Service) searchPage(ctx context.Context, q aliexpress.ProductQuery) (*aliexpress.ProductPage, cache.Result, error) {
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
		return nil, cache.Result{}, Translate(err)
	}
	return pg, r, nil
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

// passesShipping applies the filters that need the product's shipping: some method meets the
// free-shipping and delivery-days requirements.
func passesShipping(p *catalog.Product, f catalog.Filters) bool {
	need := catalog.ShipRule{By: catalog.ShipCheapest, FreeOnly: f.FreeShipping, MaxDays: f.MaxDeliveryDays}
	return need.Pick(p.Shipping) >= 0
}

// sortLocal sorts products by f.Sort on the figure a page shows for it: the rating shown, the
// commission shown, and the delivery days of the method f's shipping rule chooses (the one the
// card shows). Products without that figure go last.
func sortLocal(ps []catalog.Product, f catalog.Filters) {
	rule := f.Shipping()
	key := func(p *catalog.Product) float64 {
		switch f.Sort {
		case catalog.SortPriceAsc:
			return -float64(p.Price.Amount)
		case catalog.SortPriceDesc:
			return float64(p.Price.Amount)
		case catalog.SortDiscount:
			return float64(p.DiscountPercent)
		case catalog.SortRating:
			return p.Stars()
		case catalog.SortCommission:
			return p.CommissionRate
		case catalog.SortDelivery:
			if o, ok := rule.Choose(p.Shipping); ok && o.MaxDays > 0 {
				return -float64(o.MaxDays)
			}
			return -1e9
		}
		return 0
	}
	slices.SortStableFunc(ps, func(a, b catalog.Product) int { return cmp.Compare(key(&b), key(&a)) })
}

// enrich fills in the shipping of products, concurrently and through the cache. A product whose
// shipping cannot be had (AliExpress failing, or the request's time run out) is marked
// ShippingUnknown; it is not an error for the search. With the Dropshipping API the quote also
// gives the stock of the variant the card is priced by; when that is sold out, the product's own
// data (cached, and what its page shows) tells whether the others are too, and the card is then
// priced by the variant one can buy.
func (s *Service) enrich(ctx context.Context, ps []*catalog.Product, f catalog.Filters) {
	if len(ps) == 0 {
		return
	}
	o := catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language}
	errs := forEach(ctx, s.opts.Parallel, len(ps), func(ctx context.Context, i int) error {
		p := ps[i]
		if _, err := s.enrichOne(ctx, p, o); err != nil {
			s.opts.Logger.Debug("search: no shipping", "product", p.ID, "err", err)
			p.Shipping, p.ShippingUnknown = nil, true
		}
		return nil
	})
	for i, err := range errs {
		if err != nil { // not started: the request's time ran out, or a panic
			ps[i].Shipping, ps[i].ShippingUnknown = nil, true
		}
	}
}

// enrichOne fills in the shipping of one search product, and with it the stock of the variant
// the card is priced by (restocking it from the DS product when that variant is sold out). It
// returns the quote of the variant p is priced by in the end. SearchShipping takes the same path,
// so that a lazy fetch fills the cache keys an eager search reads and shows the same options.
func (s *Service) enrichOne(ctx context.Context, p *catalog.Product, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	q, err := s.shippingFor(ctx, p, o)
	if err != nil {
		return q, err
	}
	p.Shipping, p.ShipTo = q.Options, q.ShipTo
	p.Stale = p.Stale || q.Stale
	if q.Stock < 0 {
		return q, nil
	}
	for j := range p.Variants {
		if p.Variants[j].SKUID == q.SKUID {
			p.Variants[j].Stock = q.Stock
		}
	}
	if q.Stock == 0 {
		if rq, ok := s.restock(ctx, p, o); ok {
			q = rq
		}
	}
	return q, nil
}

// restock replaces a search product whose advertised variant is sold out by the product as the
// Dropshipping API has it: every variant with its stock (all sold out, or priced by the cheapest
// one in stock, with that variant's shipping). When the DS data cannot be had, p keeps the one
// variant known to be sold out.
// It returns the quote of the variant p is then priced by when it quoted one.
func (s *Service) restock(ctx context.Context, p *catalog.Product, o catalog.ProductOptions) (catalog.ShippingQuote, bool) {
	d, st, err := s.dsProduct(ctx, p.ID, o)
	if err != nil {
		s.opts.Logger.Debug("search: no DS data for a sold-out variant", "product", p.ID, "err", err)
		return catalog.ShippingQuote{}, false
	}
	m := mergeDS(*p, true, d, o)
	m.Stale = p.Stale || st.stale
	if m.SoldOut() || pricedSKU(&m) == pricedSKU(p) {
		*p = m
		return catalog.ShippingQuote{}, false
	}
	q, err := s.shippingFor(ctx, &m, o)
	if err != nil {
		*p = m
		p.Shipping, p.ShippingUnknown = nil, true
		return catalog.ShippingQuote{}, false
	}
	m.Shipping, m.ShipTo = q.Options, q.ShipTo
	m.Stale = m.Stale || q.Stale
	*p = m
	return q, true
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
