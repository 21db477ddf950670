package world

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// DefaultSize is the number of products a sandbox catalog holds unless told otherwise.
const DefaultSize = 20000

// Service bits of item.svc: the cross-border services a product offers from China.
const (
	svcSelection = 1 << iota // AliExpress Selection Standard (Choice)
	svcStandard
	svcSaver
	svcSuperEconomy
	svcPremium
	svcDHL
	svcHeavy
	svcDirect
)

// Flags of item.flags.
const (
	flagThreshold  = 1 << iota // standard shipping free from an order value
	flagLocalFree              // overseas-warehouse standard shipping is free
	flagSoldOut                // every variant sold out on every day
	flagNotAllowed             // brand protected: not allowed in some countries
	flagSingleSKU              // no variant dimensions
)

// item is what the search index keeps of a product: every field a filter, a sort or a feed
// needs, so that a search never has to generate a product it does not return.
// It holds no pointers, so the garbage collector never has to look inside the catalog's items.
type item struct {
	id      int64
	toff    uint32 // the title: Catalog.titles[toff : toff+tlen]
	tlen    uint16
	price   int32  // sale price of the cheapest variant before the day's movement, cents
	orig    int32  // its list price, cents
	orders  int32  // 30-day orders before the day's movement
	score   uint32 // best-match score, higher first
	served  uint64 // bit i: ships to countries[i]
	created int32  // catalog day the listing appeared
	gone    int32  // catalog day from which it is gone; math.MaxInt32 = never
	grams   int32
	shop    int32  // index into Catalog.shops
	route   uint16 // index into Catalog.routes
	kid     uint16 // index into Catalog.kids
	top     uint8  // index into tops
	noun    uint8  // index into the category's nouns: decides the variant dimensions
	hostile uint8  // 1 + index into hostileSpecs; 0 = ordinary
	rating  uint8  // tenths: 47 = 4.7; 0 = no evaluations
	comm    uint8  // commission rate, tenths of a percent
	hot     uint8  // hot-product commission rate, tenths of a percent; 0 = not hot
	tmall   bool
	origins uint8 // bit i: ships from origins[i]
	primary uint8 // index into origins of the product's ShipFrom
	svc     uint8 // svc* bits
	offset  uint8 // extra days on every delivery estimate
	free    uint8 // standard shipping from China is free to fee zones <= free-1; 0 = never
	flags   uint8
	disc    uint8  // base discount percent
	imp     uint16 // US import charge, thousandths of the sale price; 0 = included in it
}

// kidInfo is a second-level category with its vocabulary split into lists.
type kidInfo struct {
	spec   *kidSpec
	top    int
	nouns  []string
	kinds  [][]string // per noun: variant dimensions
	tier   []int8     // per noun: -1 cheap, 0 middle, +1 dear
	adjs   []string
	fits   []string
	extras []string
}

// Catalog is the generated world. It is safe for concurrent use.
type Catalog struct {
	seed int64
	size int

	cats   []Category
	catIdx map[int64]int // category ID -> index into cats
	kids   []kidInfo
	kidIdx map[int64]int // second-level ID -> index into kids
	kidCum []int         // cumulative shares, for drawing a category

	items      []item // sorted by ID
	titles     string // every item's title, end to end
	postings   map[string][]int32
	shops      []Shop
	shopIdx    map[int64]int32
	shopsByTop [][]int32               // top index -> ordinary shops that mostly sell there
	routes     [][len(countries)]uint8 // fastest delivery per route class and country, 0 = none
	popular    []int32                 // products affiliate orders are drawn from
	hostiles   []hostileSpec

	promos []*promoDef
	feeds  []*promoDef

	over    overrides // set by tests through SetOverride; empty otherwise
	cache   *lru[int32, *detail]
	images  *lru[string, []byte]
	keys    sync.Pool // *[]uint64 scratch for Search
	pngBufs pngBuffers
}

// MaxSize is the largest catalog New makes.
const MaxSize = 1 << 22

// New generates a catalog of size products (DefaultSize when size <= 0, at most MaxSize) from
// seed. Whatever the size, it holds the hostile products and the reference product
// 1005001234567890. It is cheap: it builds a compact index; full products are generated on
// demand.
func New(seed int64, size int) *Catalog {
	if size <= 0 {
		size = DefaultSize
	}
	size = min(size, MaxSize)
	c := &Catalog{
		seed:     seed,
		hostiles: hostileSpecs(),
		cache:    newLRU[int32, *detail](1024),
		images:   newLRU[string, []byte](512),
	}
	c.buildTree()
	ids := c.genIDs(size)
	c.size = len(ids)
	c.buildShops()
	c.items = make([]item, len(ids))
	routeOf := map[uint16]uint16{}
	src := &rand.PCG{}
	r := rand.New(src)
	var titles strings.Builder
	titles.Grow(len(ids) * 64)
	for i, id := range ids {
		reseed(src, c.seed, saltItem, uint64(id))
		title := c.genItem(&c.items[i], id, r)
		c.items[i].toff, c.items[i].tlen = uint32(titles.Len()), uint16(min(len(title), math.MaxUint16))
		titles.WriteString(title[:c.items[i].tlen])
		c.items[i].route = c.routeClass(&c.items[i], routeOf)
	}
	c.titles = titles.String()
	c.rankScores()
	c.buildIndex()
	c.buildPromos()
	return c
}

func (c *Catalog) buildTree() {
	c.catIdx = map[int64]int{}
	c.kidIdx = map[int64]int{}
	total := 0
	for ti := range tops {
		t := &tops[ti]
		c.catIdx[t.id] = len(c.cats)
		c.cats = append(c.cats, Category{ID: t.id, Name: t.name})
		for ki := range t.kids {
			k := &t.kids[ki]
			c.catIdx[k.id] = len(c.cats)
			c.cats = append(c.cats, Category{ID: k.id, Name: k.name, ParentID: t.id})
			info := kidInfo{spec: k, top: ti, fits: splitList(k.fits), extras: splitList(t.extras)}
			info.adjs = append(splitList(k.adjs), splitList(t.adjs)...)
			for _, n := range splitList(k.nouns) {
				noun, kinds, ok := strings.Cut(n, ":")
				if !ok {
					kinds = k.props
				}
				var tier int8
				if t, ok := strings.CutSuffix(noun, "+"); ok {
					noun, tier = t, 1
				} else if t, ok := strings.CutSuffix(noun, "-"); ok {
					noun, tier = t, -1
				}
				info.nouns = append(info.nouns, noun)
				info.tier = append(info.tier, tier)
				info.kinds = append(info.kinds, splitList(strings.ReplaceAll(kinds, ",", "|")))
			}
			c.kidIdx[k.id] = len(c.kids)
			c.kids = append(c.kids, info)
			total += k.share
			c.kidCum = append(c.kidCum, total)
		}
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// genIDs draws the product IDs: mostly 16-digit 1005..., a few legacy 11-digit 32... and 13-digit
// 4000..., plus the fixed hostile and reference IDs. The result is sorted.
func (c *Catalog) genIDs(size int) []int64 {
	seen := make(map[int64]bool, size)
	ids := make([]int64, 0, size)
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(referenceID)
	for _, h := range c.hostiles {
		add(h.id)
	}
	r := newRand(c.seed, saltIDs)
	legacy := size / 200
	for n := 0; len(ids) < size && n < legacy; n++ {
		add(32000000000 + r.Int64N(1000000000))
		add(4000000000000 + r.Int64N(1000000000))
	}
	for len(ids) < size {
		add(id16Lo + r.Int64N(id16Hi-id16Lo))
	}
	slices.Sort(ids)
	return ids
}

// The range of current 16-digit product IDs; creation dates follow the ID.
const (
	id16Lo int64 = 1005000000000000
	id16Hi int64 = 1005007000000000
)

// createdDay is the day a product was listed, derived from its ID as on the platform, where newer
// listings have higher IDs. The newest IDs are listed after Epoch.
func createdDay(id int64) int32 {
	switch {
	case id >= id16Lo:
		return int32(-2000 + (id-id16Lo)/(int64(id16Hi-id16Lo)/2120))
	case id >= 4000000000000:
		return int32(-2400 + (id-4000000000000)/(1000000000/500))
	default:
		return int32(-3600 + (id-32000000000)/(1000000000/1400))
	}
}

func (c *Catalog) buildShops() {
	n := max(64, c.size/16)
	r := newRand(c.seed, saltShop)
	seen := map[int64]bool{}
	ids := make([]int64, 0, n)
	for len(ids) < n {
		var id int64
		if r.IntN(5) == 0 {
			id = 900000000 + r.Int64N(99999999)
		} else {
			id = 1100000000 + r.Int64N(5000000)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	c.shops = make([]Shop, n)
	c.shopIdx = make(map[int64]int32, n)
	c.shopsByTop = make([][]int32, len(tops))
	for i, id := range ids {
		c.shops[i] = c.genShop(id, i)
		c.shopIdx[id] = int32(i)
		if i >= len(hostileShopNames) {
			t := c.shopTop(i)
			c.shopsByTop[t] = append(c.shopsByTop[t], int32(i))
		}
	}
}

// shopTop is the top-level category a shop mostly sells in.
func (c *Catalog) shopTop(i int) int {
	return int(mix(uint64(c.seed), saltShop, uint64(c.shops[i].ID)) % uint64(len(tops)))
}

// shopOfficial says whether a shop is a brand's official store, whose products are TMALL.
func shopOfficial(s *Shop) bool { return strings.HasSuffix(s.Name, " Official Store") }

func (c *Catalog) genShop(id int64, i int) Shop {
	r := newRand(c.seed, saltShop, uint64(id))
	s := Shop{ID: id, Country: "CN"}
	top := &tops[int(mix(uint64(c.seed), saltShop, uint64(id))%uint64(len(tops)))]
	switch x := r.IntN(100); {
	case i < len(hostileShopNames):
		s.Name = hostileShopNames[i]
	case x < 6:
		s.Name = pick(r, brands) + " Official Store"
	case x < 30:
		s.Name = "Shop" + strconv.FormatInt(id, 10) + " Store"
	case x < 65:
		s.Name = pick(r, shopWords) + " " + pick(r, shopWords) + " Store"
	default:
		s.Name = pick(r, shopWords) + " " + top.name + " Store"
	}
	if !shopOfficial(&s) && i >= len(hostileShopNames) {
		switch x := r.IntN(100); {
		case x < 3:
			s.Country = "US"
		case x < 5:
			s.Country = "ES"
		case x < 6:
			s.Country = "FR"
		case x < 7:
			s.Country = "PL"
		case x < 8:
			s.Country = "BR"
		}
	}
	base := 44 + r.IntN(7) // 4.4 - 5.0
	s.ItemAsDescribed = float64(min(50, base+r.IntN(2))) / 10
	s.Communication = float64(min(50, base+r.IntN(3)-1)) / 10
	s.ShippingSpeed = float64(min(50, base+r.IntN(3)-1)) / 10
	s.PositiveRate = float64(min(1000, 880+r.IntN(121))) / 10
	return s
}

func originIndex(code string) int {
	for i, o := range origins {
		if o.code == code {
			return i
		}
	}
	return 0
}

// title returns the title of it.
func (c *Catalog) title(it *item) string { return c.titles[it.toff : it.toff+uint32(it.tlen)] }

// genItem draws the indexed facts of one product from r, seeded for (seed, id), and returns its
// title.
func (c *Catalog) genItem(it *item, id int64, r *rand.Rand) (title string) {
	it.id = id
	it.created = createdDay(id)
	it.gone = math.MaxInt32

	var hs *hostileSpec
	for i := range c.hostiles {
		if c.hostiles[i].id == id {
			hs = &c.hostiles[i]
			it.hostile = uint8(i + 1)
		}
	}
	kid := c.drawKid(r)
	switch {
	case hs != nil:
		kid = c.kidIdx[hs.kid]
	case id == referenceID:
		kid = c.kidIdx[63705]
	}
	k := &c.kids[kid]
	it.kid = uint16(kid)
	it.top = uint8(k.top)

	// Shop: mostly one that sells in this top-level category.
	shop := -1
	switch {
	case hs != nil && hs.shop > 0:
		shop = hs.shop - 1
	case id == referenceID:
		for shop = len(hostileShopNames); c.shops[shop].Country != "CN" || shopOfficial(&c.shops[shop]); shop++ {
		}
	default:
		if own := c.shopsByTop[k.top]; len(own) > 0 && r.IntN(100) < 85 {
			shop = int(pick(r, own))
		} else {
			shop = len(hostileShopNames) + r.IntN(len(c.shops)-len(hostileShopNames))
		}
		if r.IntN(400) == 0 {
			shop = r.IntN(len(hostileShopNames)) // a few ordinary products from hostile shops
		}
	}
	it.shop = int32(shop)
	it.tmall = shopOfficial(&c.shops[shop])

	// Title.
	if hs != nil {
		title = hs.title
	} else {
		title, it.noun = c.genTitle(r, k, id == referenceID)
	}

	// Prices.
	spec := k.spec
	it.price = int32(nounPrice(r, k, int(it.noun)))
	switch x := r.IntN(100); {
	case x < 15:
		it.disc = 0
	case x < 99:
		it.disc = uint8(10 + r.IntN(66))
	default:
		it.disc = uint8(76 + r.IntN(10))
	}
	it.orig = int32((int64(it.price)*100 + int64(100-int(it.disc))/2) / int64(100-int(it.disc)))
	if it.orig < it.price {
		it.orig = it.price
	}
	it.grams = int32(logUniform(r, float64(spec.grams[0]), float64(spec.grams[1])))

	// Orders: heavy-tailed, fewer for young listings.
	u := 1 - r.Float64() // (0, 1]
	orders := 5 * (math.Pow(1/u, 1.1) - 1)
	if age := -int(it.created); age < 60 {
		orders *= float64(max(age, 0)+5) / 65
	}
	it.orders = int32(min(orders, 90000))

	if it.orders == 0 && r.IntN(10) < 7 {
		it.rating = 0
	} else {
		it.rating = uint8(max(30, 50-int(math.Abs(r.NormFloat64())*3)))
	}

	comm := int(tops[k.top].comm*10) + (r.IntN(9)-4)*5
	it.comm = uint8(min(120, max(30, comm)))
	if r.IntN(100) < 8 {
		it.hot = uint8(min(250, int(it.comm)+20+r.IntN(101)))
	}

	// Where it ships from and how.
	shopOrigin := originIndex(c.shops[shop].Country)
	it.primary = uint8(shopOrigin)
	it.origins = 1 << shopOrigin
	if shopOrigin == 0 && hs == nil && r.IntN(100) < 12 && spec.class != shipFood {
		extra := []int{1, 1, 1, 2, 2, 3, 4, 5, 6, 7}
		it.origins |= 1 << extra[r.IntN(len(extra))]
		if r.IntN(3) == 0 {
			it.origins |= 1 << extra[r.IntN(len(extra))]
		}
	}
	it.svc = svcStandard
	if spec.class != shipBulky && spec.class != shipFood && r.IntN(100) < 35 {
		it.svc |= svcSelection
	}
	if it.grams <= 2000 && spec.class != shipFood && r.IntN(100) < 60 {
		it.svc |= svcSaver
	}
	if it.price < 800 && it.grams < 500 && spec.class == shipNormal && r.IntN(100) < 45 {
		it.svc |= svcSuperEconomy
	}
	if r.IntN(100) < 30 {
		it.svc |= svcPremium
	}
	if r.IntN(100) < 12 || (it.price > 5000 && r.IntN(2) == 0) {
		it.svc |= svcDHL
	}
	if it.grams > 4000 || spec.class == shipBulky {
		it.svc |= svcHeavy
	}
	if r.IntN(100) < 40 {
		it.svc |= svcDirect
	}
	it.offset = uint8(r.IntN(4))
	switch x := r.IntN(100); {
	case x < 40:
		it.free = 4
	case x < 65:
		it.free = 2
	default:
		if r.IntN(2) == 0 {
			it.flags |= flagThreshold
		}
	}
	if r.IntN(100) < 70 {
		it.flags |= flagLocalFree
	}
	if r.IntN(1000) < 5 {
		it.flags |= flagSoldOut
	}
	if it.tmall && r.IntN(100) < 30 || r.IntN(100) < 1 {
		it.flags |= flagNotAllowed
	}
	if r.IntN(100) < 20 {
		it.flags |= flagSingleSKU
	}
	if r.IntN(100) < 35 {
		it.imp = uint16(80 + r.IntN(221))
	}

	// Destinations: every route of its origins, less the countries this product skips.
	var excl uint64
	if shopOrigin == 0 {
		switch spec.class {
		case shipRestricted:
			if r.IntN(100) < 60 {
				excl = randomCountries(r, 6+r.IntN(12))
			}
		case shipFood:
			excl = ^(randomCountries(r, 8+r.IntN(10)) | 1)
		default:
			if r.IntN(100) < 10 {
				excl = randomCountries(r, 1+r.IntN(4))
			}
		}
	}
	if hs != nil || id == referenceID {
		excl = 0
	}
	for o := range origins {
		if it.origins&(1<<o) != 0 {
			it.served |= originReach(o)
		}
	}
	it.served &^= excl
	if it.served == 0 {
		it.served = originReach(int(it.primary))
	}

	// Some listings end.
	if r.IntN(100) < 7 {
		it.gone = max(int32(1+r.IntN(400)), it.created+10)
	}
	if hs != nil || id == referenceID {
		// Fixed products are always there to be found.
		it.gone = math.MaxInt32
		it.flags &^= flagSoldOut | flagNotAllowed | flagSingleSKU
	}
	return title
}

// drawKid picks a second-level category by share.
func (c *Catalog) drawKid(r *rand.Rand) int {
	x := r.IntN(c.kidCum[len(c.kidCum)-1])
	i, _ := slices.BinarySearch(c.kidCum, x+1)
	return i
}

// nounPrice draws a sale price in cents: the same kind of goods clusters around one typical
// price within the category's range, cheap goods near the bottom, dear ones near the top.
func nounPrice(r *rand.Rand, k *kidInfo, noun int) int64 {
	lo, hi := math.Log(float64(k.spec.price[0])), math.Log(float64(k.spec.price[1]))
	var center float64
	switch k.tier[noun] {
	case -1:
		center = 0.2
	case 1:
		center = 0.8
	default:
		center = 0.3 + float64(mix(uint64(k.spec.id), uint64(noun))%400)/1000
	}
	x := lo + (hi-lo)*(center+(r.Float64()-0.5)*0.4)
	return int64(math.Round(math.Exp(max(lo, min(hi, x)))))
}

func logUniform(r *rand.Rand, lo, hi float64) int64 {
	return int64(math.Round(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))))
}

// randomCountries returns a mask of n distinct countries, never the United States (every
// product that ships anywhere ships there, as on the platform).
func randomCountries(r *rand.Rand, n int) uint64 {
	var m uint64
	for bits.OnesCount64(m) < n {
		m |= 1 << (1 + r.IntN(len(countries)-1))
	}
	return m
}

// genTitle builds a title like "Shockproof Silicone Phone Case for iPhone 15 Pro Max Matte Cover".
func (c *Catalog) genTitle(r *rand.Rand, k *kidInfo, reference bool) (string, uint8) {
	parts := make([]string, 0, 10)
	ni := r.IntN(len(k.nouns))
	noun := k.nouns[ni]
	if reference {
		ni, noun = 0, "Wireless Earbuds"
	} else {
		if r.IntN(6) == 0 {
			parts = append(parts, pick(r, []string{"2025 New", "Original", "Hot Sale", "Upgraded", "Top Quality"}))
		}
		if r.IntN(5) == 0 {
			parts = append(parts, pick(r, brands))
		}
	}
	// fresh says whether a adds words the title does not have yet.
	fresh := func(a string) bool {
		for w := range strings.FieldsSeq(a) {
			if strings.Contains(noun, w) || slices.ContainsFunc(parts, func(p string) bool { return strings.Contains(p, w) }) {
				return false
			}
		}
		return true
	}
	for range 1 + r.IntN(3) {
		if a := pick(r, k.adjs); fresh(a) && !reference {
			parts = append(parts, a)
		}
	}
	parts = append(parts, noun)
	if len(k.fits) > 0 && r.IntN(4) != 0 {
		if f := pick(r, k.fits); fresh(strings.TrimPrefix(f, "for ")) {
			parts = append(parts, f)
		}
	}
	if e := pick(r, k.extras); r.IntN(2) == 0 && fresh(e) {
		parts = append(parts, e)
	}
	if a := pick(r, k.adjs); r.IntN(3) == 0 && fresh(a) {
		parts = append(parts, a)
	}
	return strings.Join(parts, " "), uint8(ni)
}

// rankScores gives every product its best-match score: popular, well-rated products first, with
// a seeded shuffle among equals. Hostile products get scores among the top few percent, spaced
// so that a category's first page holds some of them between ordinary products.
func (c *Catalog) rankScores() {
	var ordinary []uint32
	for i := range c.items {
		it := &c.items[i]
		h := mix(uint64(c.seed), saltScore, uint64(it.id))
		s := uint32(math.Log2(float64(it.orders)+1)*1000) + uint32(it.rating)*40 + uint32(h%2500)
		if it.tmall {
			s += 800
		}
		if it.svc&svcSelection != 0 {
			s += 300
		}
		it.score = s
		if it.hostile == 0 {
			ordinary = append(ordinary, s)
		}
	}
	slices.Sort(ordinary)
	perKid := map[int64]int{}
	for i := range c.items {
		it := &c.items[i]
		if it.hostile == 0 {
			continue
		}
		hs := c.hostiles[it.hostile-1]
		k := perKid[hs.kid]
		perKid[hs.kid]++
		q := 999 - 4*k
		it.score = ordinary[len(ordinary)*q/1000] + 1
	}
}

// buildIndex fills the inverted index: every word of a title and of its categories' names.
func (c *Catalog) buildIndex() {
	c.postings = make(map[string][]int32, 4096)
	kidWords := make([][]string, len(c.kids))
	for i, k := range c.kids {
		kidWords[i] = words(nil, k.spec.name+" "+tops[k.top].name)
	}
	var ws []string
	for i := range c.items {
		it := &c.items[i]
		ws = words(ws[:0], c.title(it))
		ws = append(ws, kidWords[it.kid]...)
		for _, w := range ws {
			l := c.postings[w]
			if len(l) > 0 && l[len(l)-1] == int32(i) {
				continue // a word twice in one title
			}
			c.postings[w] = append(l, int32(i))
		}
	}
	for i := range c.items {
		if c.items[i].orders >= 50 {
			c.popular = append(c.popular, int32(i))
		}
	}
	if len(c.popular) == 0 {
		for i := range c.items {
			c.popular = append(c.popular, int32(i))
		}
	}
}

// words appends the search words of s: lower-case runs of letters and digits, apostrophes
// dropped, plural endings folded ("Cases" and "case" are one word).
func words(dst []string, s string) []string {
	s = strings.ToLower(strings.ReplaceAll(s, "'", ""))
	start := -1
	flush := func(end int) {
		if start >= 0 {
			dst = append(dst, stem(s[start:end]))
			start = -1
		}
	}
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(s))
	return dst
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}
