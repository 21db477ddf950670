package world

import (
	"html"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// detail is the part of a product that does not change from day to day and that the index does
// not need: the variant grid, item properties, description, pictures and package. It is
// generated on demand from (seed, id) and kept in a small cache; it is never handed out, so
// callers cannot change it.
type detail struct {
	dims     []dim
	combos   []combo
	attrs    []Attribute
	desc     string
	images   []string
	video    string
	pkg      Package
	lead     int
	evals    int
	sales    int
	positive float64
	bulkMin  int
	bulkPM   int64 // bulk price, thousandths of the sale price
	appPM    int64 // app price, thousandths of the sale price
	period   int   // stock is redrawn every period days
	phase    int
	notAllow []string
}

// dim is one variant dimension with every value any variant ever takes.
type dim struct {
	kind   string // key of propKinds
	id     int64
	name   string
	values []PropertyValue
	origin []uint8 // for Ships From: the origin of each value
}

// combo is one cell of the variant grid: one SKU.
type combo struct {
	vals   [3]uint8 // value index per dimension
	mult   int64    // price, thousandths of the cheapest variant's; combo 0 is 1000
	from   int32    // listed from this day...
	until  int32    // ...until the day before this one
	stock  int32    // typical stock
	origin uint8    // index into origins
	sku    string
	attr   string
	image  string
}

// detail returns the day-independent part of product i.
func (c *Catalog) detail(i int) *detail {
	if d, ok := c.cache.get(int32(i)); ok {
		return d
	}
	d := c.genDetail(i)
	c.cache.put(int32(i), d)
	return d
}

var materials = map[int64]string{
	44: "ABS|Plastic|Aluminum Alloy|Silicone", 509: "Silicone|TPU|PC|PU Leather|Tempered Glass",
	7: "ABS|Aluminum|Plastic|Metal", 15: "Cotton|Polyester|Ceramic|Wood|Stainless Steel|Glass",
	13: "Stainless Steel|Brass|Zinc Alloy|ABS", 1420: "Chrome Vanadium Steel|Carbon Steel|ABS|Alloy Steel",
	6: "ABS|Stainless Steel|Plastic", 39: "Aluminum|ABS|Iron|Glass|Acrylic",
	36:   "Stainless Steel|925 Sterling Silver|Copper|Zinc Alloy|Titanium Steel",
	1511: "Stainless Steel|Alloy|Leather|Silicone", 1524: "PU Leather|Nylon|Canvas|Oxford|Polyester",
	322: "Mesh|PU|Rubber|Synthetic Leather|EVA", 200000343: "Polyester|Cotton|Spandex|Viscose|Linen",
	200000345: "Cotton|Polyester|Spandex|Nylon", 200000297: "Acrylic|Polyester|Cotton|Alloy|PC",
	1501: "Cotton|Silicone|Polyester|Plastic", 26: "Plastic|Plush|ABS|Wood|Metal",
	18: "Carbon Fiber|Nylon|Aluminum|Polyester|Silicone", 66: "Plastic|Synthetic Hair|Aluminum|Glass",
	34: "ABS|PU Leather|Aluminum Alloy|Plastic", 30: "ABS|Plastic|Metal|Aluminum",
	21: "Paper|Plastic|Metal|Wood", 100003070: "Human Hair|Synthetic Fiber|Heat Resistant Fiber",
	2: "Natural", 502: "PCB|Plastic|Copper", 1503: "Wood|Metal|Bamboo|Rattan",
	320: "Satin|Tulle|Lace|Chiffon", 200000532: "Polyester|Cotton|Latex",
}

var features = []string{
	"High quality material, durable and long lasting.",
	"Easy to use and easy to clean.",
	"Perfect gift for family and friends.",
	"Lightweight and portable, take it anywhere.",
	"Professional design, stylish appearance.",
	"100% brand new and high quality.",
	"Please allow 1-3cm differences due to manual measurement.",
	"Due to the different display and different light, the picture may not show the actual color of the item.",
}

func (c *Catalog) genDetail(i int) *detail {
	it := &c.items[i]
	k := &c.kids[it.kid]
	r := newRand(c.seed, saltDetail, uint64(it.id))
	d := &detail{}
	idStr := strconv.FormatInt(it.id, 10)
	imgBase := "/sandbox/img/" + idStr + "/"

	// Variant dimensions.
	kinds := k.kinds[min(int(it.noun), len(k.kinds)-1)]
	n := 0
	if it.flags&flagSingleSKU == 0 && len(kinds) > 0 {
		n = 1
		if x := r.IntN(100); x >= 45 {
			n = 2
			if x >= 90 {
				n = 3
			}
		}
		n = min(n, len(kinds))
	}
	chosen := append([]string(nil), kinds[:n]...)
	if it.origins&^1 != 0 && it.origins != 1<<it.primary {
		if len(chosen) == 3 {
			chosen = chosen[:2]
		}
		chosen = append(chosen, "shipsfrom")
	}
	var hostileColors []string
	if it.hostile > 0 {
		hostileColors = c.hostiles[it.hostile-1].colors
	}
	for _, kind := range chosen {
		d.dims = append(d.dims, c.genDim(r, it, kind, imgBase, hostileColors))
	}
	// At most 40 variants: shrink the widest dimension until the grid fits.
	for {
		total, widest := 1, -1
		for j := range d.dims {
			total *= len(d.dims[j].values)
			if widest < 0 || len(d.dims[j].values) > len(d.dims[widest].values) {
				widest = j
			}
		}
		if total <= 40 {
			break
		}
		w := &d.dims[widest]
		w.values = w.values[:len(w.values)-1]
		if w.origin != nil {
			w.origin = w.origin[:len(w.values)]
		}
	}
	d.combos = c.genCombos(r, it, d.dims)

	// Item properties.
	brand, model := "NoEnName_Null", string(rune('A'+r.IntN(26)))+string(rune('A'+r.IntN(26)))
	if it.tmall || r.IntN(3) == 0 {
		brand = brands[mix(uint64(it.id))%uint64(len(brands))]
		if it.tmall {
			brand = strings.TrimSuffix(c.shops[it.shop].Name, " Official Store")
		}
		model = strings.ToUpper(brand[:2])
	}
	originName := "Mainland China"
	if it.primary != 0 {
		originName = origins[it.primary].name
	}
	mats := splitList(materials[tops[it.top].id])
	if len(mats) == 0 {
		mats = []string{"Plastic"}
	}
	d.attrs = []Attribute{
		{NameID: 2, Name: "Brand Name", ValueID: 200000000 + int64(mix(uint64(len(brand)), uint64(brand[0]))%1000000), Value: brand},
		{NameID: 219, Name: "Origin", ValueID: 9441741844, Value: originName},
		{NameID: 10, Name: "Material", ValueID: 200001000 + int64(r.IntN(5000)), Value: pick(r, mats)},
		{NameID: 3, Name: "Model Number", ValueID: -1, Value: model + "-" + strconv.Itoa(100+r.IntN(9900))},
		{NameID: 400000603, Name: "Hign-concerned Chemical", ValueID: 23399591357, Value: "None"},
	}
	switch tops[it.top].id {
	case 44, 509, 7, 6, 39, 30, 502:
		d.attrs = append(d.attrs, Attribute{NameID: 200000160, Name: "Certification", ValueID: 200000100 + int64(r.IntN(4)), Value: pick(r, []string{"CE", "FCC", "RoHS", "CE,FCC,RoHS", "NONE"})})
	}
	if it.svc&svcSelection != 0 {
		d.attrs = append(d.attrs, Attribute{NameID: 200001034, Name: "Choice", ValueID: 201336100, Value: "yes"})
	}

	// Pictures and video.
	nImg := 3 + int(mix(uint64(c.seed), saltImage, uint64(it.id))%6)
	for j := range nImg {
		d.images = append(d.images, imgBase+strconv.Itoa(j)+".png")
	}
	if r.IntN(4) == 0 {
		d.video = "/sandbox/video/" + idStr + ".mp4"
	}

	// Description.
	if it.hostile > 0 {
		d.desc = c.hostiles[it.hostile-1].desc
	} else {
		var b strings.Builder
		b.WriteString(`<div class="detailmodule_html"><p><strong>`)
		b.WriteString(html.EscapeString(c.title(it)))
		b.WriteString("</strong></p><p>Features:</p><ul>")
		for _, f := range r.Perm(len(features))[:2+r.IntN(3)] {
			b.WriteString("<li>" + features[f] + "</li>")
		}
		b.WriteString("</ul><p>Specifications:</p><ul>")
		for _, a := range d.attrs {
			b.WriteString("<li>" + html.EscapeString(a.Name) + ": " + html.EscapeString(a.Value) + "</li>")
		}
		b.WriteString("</ul>")
		for _, img := range d.images[1:min(len(d.images), 4)] {
			b.WriteString(`<p><img src="` + img + `" width="750"/></p>`)
		}
		b.WriteString("</div>")
		d.desc = b.String()
	}

	// Package: a box around the goods.
	side := math.Cbrt(float64(it.grams)) * 1.8
	d.pkg = Package{
		LengthCM:    max(5, int(side*1.5)+r.IntN(5)),
		WidthCM:     max(4, int(side)+r.IntN(4)),
		HeightCM:    max(1, int(side*0.5)+r.IntN(3)),
		WeightGrams: int(it.grams),
	}
	d.lead = pick(r, []int{3, 3, 3, 5, 5, 7, 1, 2, 4, 10})

	// Reviews and all-time sales.
	age := max(0, -int(it.created))
	d.sales = int(it.orders)*(1+min(age/45, 40)) + r.IntN(20)
	if it.rating > 0 {
		d.evals = max(1, d.sales*(3+r.IntN(20))/100)
		pos := 100 - float64(50-int(it.rating))*2.5 - float64(r.IntN(30))/10
		d.positive = math.Round(max(60, min(100, pos))*10) / 10
	}

	d.bulkMin, d.bulkPM = 1, 1000
	if r.IntN(100) < 30 {
		d.bulkMin = pick(r, []int{2, 3, 5, 10})
		d.bulkPM = 950 + int64(r.IntN(36))
	}
	d.appPM = 1000
	if r.IntN(100) < 15 {
		d.appPM = 920 + int64(r.IntN(61))
	}
	d.period = 4 + r.IntN(10)
	d.phase = r.IntN(d.period)
	if it.flags&flagNotAllowed != 0 {
		pool := []string{"KR", "BR", "TR", "SA", "IL", "CL", "ZA", "IN", "AE"}
		r.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
		d.notAllow = pool[:1+r.IntN(3)]
	}
	return d
}

// genDim draws the values of one variant dimension.
func (c *Catalog) genDim(r *rand.Rand, it *item, kind, imgBase string, custom []string) dim {
	pk := propKinds[kind]
	dm := dim{kind: kind, id: pk.id, name: pk.name}
	cnt := pk.min + r.IntN(pk.max-pk.min+1)
	switch kind {
	case "color":
		perm := r.Perm(len(colors))
		if len(custom) > 0 {
			cnt = len(custom)
		}
		for j := range min(cnt, len(colors)) {
			col := colors[perm[j]]
			name := col.name
			if j < len(custom) {
				name = custom[j]
			}
			dm.values = append(dm.values, PropertyValue{ID: col.id, Name: name})
		}
	case "shipsfrom":
		for o := range origins {
			if it.origins&(1<<o) != 0 {
				dm.values = append(dm.values, PropertyValue{ID: origins[o].id, Name: origins[o].name})
				dm.origin = append(dm.origin, uint8(o))
			}
		}
	default:
		all := splitList(pk.values)
		cnt = min(cnt, len(all))
		var idx []int
		if pk.ordered {
			start := r.IntN(len(all) - cnt + 1)
			for j := range cnt {
				idx = append(idx, start+j)
			}
		} else {
			idx = r.Perm(len(all))[:cnt]
			slices.Sort(idx) // keep the list's own order
		}
		for _, j := range idx {
			dm.values = append(dm.values, PropertyValue{ID: pk.base + int64(j), Name: all[j]})
		}
	}
	if pk.image {
		for j := range dm.values {
			dm.values[j].Image = imgBase + "v" + strconv.FormatInt(dm.values[j].ID, 10) + ".png"
		}
	}
	return dm
}

// genCombos lays out the variant grid: prices rise along ordered dimensions and for overseas
// warehouses, combo 0 is always the cheapest and always listed, and a few products gain or lose
// variants on a later day.
func (c *Catalog) genCombos(r *rand.Rand, it *item, dims []dim) []combo {
	// Price steps per dimension value, thousandths added to the cheapest variant's price.
	steps := make([][]int64, len(dims))
	for j, dm := range dims {
		steps[j] = make([]int64, len(dm.values))
		pk := propKinds[dm.kind]
		for v := 1; v < len(dm.values); v++ {
			switch {
			case dm.origin != nil:
				steps[j][v] = 120 + int64(r.IntN(180))
			case pk.ordered && (pk.name == "Quantity" || pk.name == "Bundle"):
				steps[j][v] = int64(v) * (500 + int64(r.IntN(400)))
			case pk.ordered:
				steps[j][v] = int64(v) * (20 + int64(r.IntN(120)))
			case r.IntN(5) == 0:
				steps[j][v] = 20 + int64(r.IntN(80))
			}
		}
	}
	total := 1
	for _, dm := range dims {
		total *= len(dm.values)
	}
	skuBase := int64(12000000000000000) + int64(mix(uint64(c.seed), saltVariant, uint64(it.id))%10000000000)*100
	combos := make([]combo, total)
	for n := range combos {
		cb := &combo{mult: 1000, from: math.MinInt32, until: math.MaxInt32, origin: it.primary}
		rest := n
		var attr strings.Builder
		for j := len(dims) - 1; j >= 0; j-- {
			v := rest % len(dims[j].values)
			rest /= len(dims[j].values)
			cb.vals[j] = uint8(v)
		}
		for j, dm := range dims {
			v := cb.vals[j]
			pv := dm.values[v]
			cb.mult += steps[j][v]
			if dm.origin != nil {
				cb.origin = dm.origin[v]
			}
			if pv.Image != "" && cb.image == "" {
				cb.image = pv.Image
			}
			if j > 0 {
				attr.WriteByte(';')
			}
			attr.WriteString(strconv.FormatInt(dm.id, 10) + ":" + strconv.FormatInt(pv.ID, 10) + "#" + pv.Name)
		}
		cb.attr = attr.String()
		cb.sku = strconv.FormatInt(skuBase+int64(n), 10)
		if r.IntN(10) == 0 {
			cb.stock = 9999
		} else {
			cb.stock = int32(logUniform(r, 5, 3000))
		}
		combos[n] = *cb
	}
	if total >= 3 && it.hostile == 0 {
		switch x := r.IntN(100); {
		case x < 8: // new variants appear
			from := int32(5 + r.IntN(80))
			for n := total - 1 - r.IntN(2); n < total; n++ {
				combos[n].from = from
			}
		case x < 16: // a variant is withdrawn
			combos[1+r.IntN(total-1)].until = int32(5 + r.IntN(120))
		}
	}
	return combos
}
