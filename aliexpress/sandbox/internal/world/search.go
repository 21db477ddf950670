package world

import (
	"slices"
	"strings"
)

// Search runs over the index only: it intersects the posting lists of the keywords, filters on
// the indexed facts of the day, keeps one 64-bit key per match (40 bits of sort key, 24 bits of
// index, so ties fall back to the stable best-match order of IDs), and generates full products
// for the requested page alone.

const (
	idxBits = 24
	keyMax  = 1<<40 - 1
)

// Search finds products on day. Keywords must all match a word of the title or of the
// product's category names, ignoring case and plural endings ("Cases" finds "case");
// CategoryIDs match top-level or second-level categories; Promo names a promo or feed, ignoring
// case; every other filter is described on Query. An unknown category, country or promo matches nothing. Page
// counts from 1; PageSize defaults to 20.
func (c *Catalog) Search(q Query, day int) Result {
	page, size := max(q.Page, 1), q.PageSize
	if size <= 0 {
		size = 20
	}

	// Candidates from the keywords.
	var cands []int32
	all := true
	if toks := words(nil, q.Keywords); len(toks) > 0 {
		all = false
		lists := make([][]int32, 0, len(toks))
		for _, t := range toks {
			l := c.postings[t]
			if len(l) == 0 {
				return Result{}
			}
			lists = append(lists, l)
		}
		slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
		cands = lists[0]
		for _, l := range lists[1:] {
			cands = intersect(cands, l)
			if len(cands) == 0 {
				return Result{}
			}
		}
	}

	// Filters.
	var kidOK, topOK []bool
	if len(q.CategoryIDs) > 0 {
		kidOK, topOK = make([]bool, len(c.kids)), make([]bool, len(tops))
		known := false
		for _, id := range q.CategoryIDs {
			if k, ok := c.kidIdx[id]; ok {
				kidOK[k], known = true, true
			}
			for ti := range tops {
				if tops[ti].id == id {
					topOK[ti], known = true, true
				}
			}
		}
		if !known {
			return Result{}
		}
	}
	ship := -1
	if q.ShipTo != "" {
		if ship = countryIndex(strings.ToUpper(q.ShipTo)); ship < 0 {
			return Result{}
		}
	}
	dest := ship
	if dest < 0 {
		dest = countryIndex("US")
	}
	var promo *promoDef
	if q.Promo != "" {
		if promo = c.promo(q.Promo); promo == nil {
			return Result{}
		}
	}
	platform := strings.ToUpper(q.PlatformType)

	over := c.over.m.Load()
	buf := c.scratch()
	keys := (*buf)[:0]
	n := len(c.items)
	if !all {
		n = len(cands)
	}
	for j := range n {
		i := j
		if !all {
			i = int(cands[j])
		}
		it := &c.items[i]
		if !it.live(day) || over != nil && (*over)[it.id].Gone {
			continue
		}
		if kidOK != nil && !kidOK[it.kid] && !topOK[it.top] {
			continue
		}
		if ship >= 0 && it.served&(1<<ship) == 0 {
			continue
		}
		if q.DeliveryDays > 0 {
			if d := c.fastestDays(it, dest); d == 0 || d > q.DeliveryDays {
				continue
			}
		}
		switch platform {
		case "TMALL":
			if !it.tmall {
				continue
			}
		case "PLAZA":
			if it.tmall {
				continue
			}
		}
		if q.HotOnly && it.hot == 0 {
			continue
		}
		if promo != nil && !promo.match(c, it, day) {
			continue
		}
		var sale int64
		if q.MinPrice > 0 || q.MaxPrice > 0 || q.Sort == SortPriceAsc || q.Sort == SortPriceDesc {
			sale = c.saleOn(it, day)
			if q.MinPrice > 0 && sale < q.MinPrice || q.MaxPrice > 0 && sale > q.MaxPrice {
				continue
			}
		}
		keys = append(keys, c.sortKey(q.Sort, it, day, sale)<<idxBits|uint64(i))
	}
	total := len(keys)
	res := Result{Total: total}
	if total > 0 && page-1 <= (total-1)/size { // written so that huge pages cannot overflow
		from := (page - 1) * size
		to := from + min(size, total-from)
		top := smallest(keys, to)
		res.Products = make([]Product, 0, to-from)
		for _, k := range top[from:to] {
			res.Products = append(res.Products, c.productOn(int(k&(1<<idxBits-1)), day))
		}
	}
	*buf = keys
	c.keys.Put(buf)
	return res
}

func (c *Catalog) scratch() *[]uint64 {
	if b, ok := c.keys.Get().(*[]uint64); ok {
		return b
	}
	b := make([]uint64, 0, len(c.items))
	return &b
}

// sortKey is the 40-bit key a product sorts by (ascending) under order.
func (c *Catalog) sortKey(order string, it *item, day int, sale int64) uint64 {
	best := uint64(^it.score) // higher score first
	switch order {
	case SortPriceAsc:
		return uint64(min(sale, keyMax))
	case SortPriceDesc:
		return keyMax - uint64(min(sale, keyMax))
	case SortVolumeAsc:
		return uint64(c.ordersOn(it, day))
	case SortVolumeDesc:
		return keyMax - uint64(c.ordersOn(it, day))
	case SortDiscountAsc, SortDiscountDsc:
		_, _, d := c.pricesOn(it, day)
		if order == SortDiscountDsc {
			d = 100 - d
		}
		return uint64(d)<<32 | best
	case SortRatingAsc:
		return uint64(it.rating)<<32 | best
	case SortRatingDesc:
		return uint64(255-it.rating)<<32 | best
	case SortCommission:
		return uint64(255-max(it.comm, it.hot))<<32 | best
	}
	return best
}

// intersect returns the common elements of two ascending lists.
func intersect(a, b []int32) []int32 {
	out := make([]int32, 0, min(len(a), len(b)))
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// smallest returns the k smallest keys in ascending order. It reorders keys. For a first page
// it keeps a bounded heap; for a deeper one it partitions around the k-th key and sorts only
// what comes before it.
func smallest(keys []uint64, k int) []uint64 {
	if k <= 0 {
		return keys[:0]
	}
	if k >= len(keys) {
		slices.Sort(keys)
		return keys
	}
	if k > 256 {
		nth(keys, k)
		slices.Sort(keys[:k])
		return keys[:k]
	}
	// Max-heap of the k smallest seen so far in keys[:k].
	h := keys[:k]
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, x := range keys[k:] {
		if x < h[0] {
			h[0] = x
			siftDown(h, 0)
		}
	}
	slices.Sort(h)
	return h
}

func siftDown(h []uint64, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r] > h[l] {
			l = r
		}
		if h[i] >= h[l] {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// nth reorders keys (all distinct) so that the k smallest come first, in any order.
func nth(keys []uint64, k int) {
	lo, hi := 0, len(keys)-1
	for lo < hi {
		// Median of three as pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if keys[mid] < keys[lo] {
			keys[mid], keys[lo] = keys[lo], keys[mid]
		}
		if keys[hi] < keys[lo] {
			keys[hi], keys[lo] = keys[lo], keys[hi]
		}
		if keys[mid] < keys[hi] {
			keys[mid], keys[hi] = keys[hi], keys[mid]
		}
		pivot, store := keys[hi], lo
		for i := lo; i < hi; i++ {
			if keys[i] < pivot {
				keys[i], keys[store] = keys[store], keys[i]
				store++
			}
		}
		keys[store], keys[hi] = keys[hi], keys[store]
		switch {
		case store == k || store == k-1:
			return
		case store < k:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}
