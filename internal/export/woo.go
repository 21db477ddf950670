package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
)

// WooHeader is the WooCommerce product CSV header (WooCommerce's own exporter and sample file,
// WC 3.1 and later) with three attribute groups and aliscout's supplier columns at the end.
var WooHeader = []string{
	"ID", "Type", "SKU", "Name", "Published", "Is featured?", "Visibility in catalog",
	"Short description", "Description", "Date sale price starts", "Date sale price ends",
	"Tax status", "Tax class", "In stock?", "Stock", "Backorders allowed?", "Sold individually?",
	"Weight (lbs)", "Length (in)", "Width (in)", "Height (in)", "Allow customer reviews?",
	"Purchase note", "Sale price", "Regular price", "Categories", "Tags", "Shipping class", "Images",
	"Download limit", "Download expiry days", "Parent", "Grouped products", "Upsells", "Cross-sells",
	"External URL", "Button text", "Position",
	"Attribute 1 name", "Attribute 1 value(s)", "Attribute 1 visible", "Attribute 1 global",
	"Attribute 2 name", "Attribute 2 value(s)", "Attribute 2 visible", "Attribute 2 global",
	"Attribute 3 name", "Attribute 3 value(s)", "Attribute 3 visible", "Attribute 3 global",
	"Meta: aliexpress_product_id", "Meta: aliexpress_sku_attr", "Meta: supplier_cost",
}

// Columns of WooHeader.
const (
	wcID = iota
	wcType
	wcSKU
	wcName
	wcPublished
	wcFeatured
	wcVisibility
	wcShortDescription
	wcDescription
	wcSaleStarts
	wcSaleEnds
	wcTaxStatus
	wcTaxClass
	wcInStock
	wcStock
	wcBackorders
	wcSoldIndividually
	wcWeight
	wcLength
	wcWidth
	wcHeight
	wcReviews
	wcPurchaseNote
	wcSalePrice
	wcRegularPrice
	wcCategories
	wcTags
	wcShippingClass
	wcImages
	wcDownloadLimit
	wcDownloadExpiry
	wcParent
	wcGrouped
	wcUpsells
	wcCrossSells
	wcExternalURL
	wcButtonText
	wcPosition
	wcAttr1Name // then value(s), visible, global; four per attribute
)

const (
	wcMetaProductID = wcAttr1Name + 12 + iota
	wcMetaSKUAttr
	wcMetaSupplierCost
	wcColumns
)

// WooWriter writes the WooCommerce product CSV. A product with options becomes a "variable"
// parent row (SKU AE-<productID>, every value of each attribute, the gallery) followed by one
// "variation" row per variant (Parent = the parent's SKU, one value per attribute, its own SKU,
// prices, stock and image, Position 1, 2…); a product without options is one "simple" row.
// Regular price is the compare-at price when there is one, with the price as Sale price;
// otherwise the price. Weight is converted from grams to pounds, the unit of the header.
// Attributes are custom (global 0). The Meta columns carry the AliExpress product ID, the
// variant's sku_attr (what a supplier order names) and the supplier's cost.
//
// Values in list cells (attribute values, categories, tags, images) are joined with ", " and a
// comma inside a value is written "\,", which WooCommerce's importer reads back as a comma.
type WooWriter struct {
	csv     *csv.Writer
	opts    Options
	err     error
	started bool
	closed  bool
	ids     idSet
	prod    product
	rows    [][]string
}

// NewWooWriter returns a writer of WooCommerce product CSV to w. Invalid options make every Write
// fail.
func NewWooWriter(w io.Writer, opts Options) *WooWriter {
	return &WooWriter{csv: csv.NewWriter(w), opts: opts, err: opts.Validate(), ids: idSet{}}
}

// Write appends one product's rows (see WooWriter).
func (ww *WooWriter) Write(p *catalog.Product) error {
	if ww.closed {
		return ErrClosed
	}
	if ww.err != nil {
		return ww.err
	}
	if ww.ids.has(uint64(p.ID)) {
		return productErr(p, ErrDuplicate, "")
	}
	d := &ww.prod
	if err := d.prepare(p, &ww.opts); err != nil {
		return err
	}
	if !ww.started {
		ww.started = true
		if ww.err = ww.csv.Write(WooHeader); ww.err != nil {
			return ww.err
		}
	}
	ww.ids.add(uint64(p.ID))

	variable := len(d.options) > 0
	n := 1
	if variable {
		n += len(d.variants)
	}
	for len(ww.rows) < n {
		ww.rows = append(ww.rows, make([]string, wcColumns))
	}
	rows := ww.rows[:n]
	for _, r := range rows {
		clear(r)
	}
	title := d.displayTitle()
	published := ww.published()
	weight := poundsText(p.WeightGrams)
	productID := strconv.FormatInt(p.ID, 10)

	parent := rows[0]
	parent[wcName] = title
	parent[wcDescription] = d.description
	parent[wcCategories] = wooCategories(d.topCategory, d.category)
	parent[wcTags] = wooList(cleanTexts(ww.opts.Tags))
	parent[wcImages] = wooList(d.images)
	parent[wcReviews] = "1"
	parent[wcPosition] = "0"
	if variable {
		parent[wcType] = "variable"
		parent[wcSKU] = sku(p.ID, "")
		parent[wcInStock] = boolDigit(p.InStock())
		for i, o := range d.options {
			a := parent[wcAttr1Name+4*i:]
			a[0], a[1], a[2], a[3] = o.name, wooList(o.values), "1", "0"
		}
	} else {
		parent[wcType] = "simple"
		ww.variantFields(parent, &d.variants[0])
		if parent[wcImages] == "" {
			parent[wcImages] = wooList([]string{d.variants[0].image})
		}
	}
	for i := range rows {
		row := rows[i]
		row[wcPublished] = published
		row[wcFeatured] = "0"
		row[wcVisibility] = "visible"
		row[wcTaxStatus] = "taxable"
		row[wcBackorders] = "0"
		row[wcSoldIndividually] = "0"
		row[wcWeight] = weight
		row[wcMetaProductID] = productID
		if i == 0 {
			continue
		}
		v := &d.variants[i-1]
		row[wcType] = "variation"
		row[wcName] = title + " - " + strings.Join(v.values, ", ")
		row[wcParent] = parent[wcSKU]
		row[wcPosition] = strconv.Itoa(i)
		row[wcImages] = wooList([]string{v.image})
		ww.variantFields(row, v)
		for j, o := range d.options {
			a := row[wcAttr1Name+4*j:]
			a[0], a[1], a[2], a[3] = o.name, wooList(v.values[j:j+1]), "", "0"
		}
	}
	for _, row := range rows {
		for i, c := range row {
			row[i] = neutralize(c)
		}
		if err := ww.csv.Write(row); err != nil {
			ww.err = err
			return err
		}
	}
	d.report(&ww.opts)
	return nil
}

func (ww *WooWriter) variantFields(row []string, v *variant) {
	row[wcSKU] = v.sku
	row[wcInStock] = boolDigit(v.stock != 0)
	if v.stock >= 0 {
		row[wcStock] = strconv.Itoa(v.stock)
	}
	if v.compareAt != "" {
		row[wcRegularPrice], row[wcSalePrice] = v.compareAt, v.price
	} else {
		row[wcRegularPrice] = v.price
	}
	row[wcMetaSKUAttr] = v.attr
	row[wcMetaSupplierCost] = v.cost
}

// published maps Options to WooCommerce's Published: 1 published, 0 private, -1 draft.
func (ww *WooWriter) published() string {
	switch ww.opts.status() {
	case StatusDraft:
		return "-1"
	case StatusActive:
		if ww.opts.Published {
			return "1"
		}
	}
	return "0"
}

// Close writes the header if no product was written, and flushes.
func (ww *WooWriter) Close() error {
	if ww.closed {
		return ww.err
	}
	ww.closed = true
	if ww.err != nil {
		return ww.err
	}
	if !ww.started {
		ww.started = true
		if ww.err = ww.csv.Write(WooHeader); ww.err != nil {
			return ww.err
		}
	}
	ww.csv.Flush()
	ww.err = ww.csv.Error()
	return ww.err
}

// wooCategories is "Top > Sub", or the one category known, from cleaned names.
func wooCategories(topName, name string) string {
	top := wooCategory(topName)
	sub := wooCategory(name)
	switch {
	case top == "" || top == sub:
		return sub
	case sub == "":
		return top
	}
	return top + " > " + sub
}

// wooCategory makes a cleaned category name one item of a Categories cell: no hierarchy
// marker, commas escaped.
func wooCategory(name string) string {
	return wooEscape(stripFormula(cleanLine(strings.ReplaceAll(name, ">", " "))))
}

// cleanTexts is cleanText of each of values.
func cleanTexts(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = cleanText(v)
	}
	return out
}

// wooList joins non-empty values for a WooCommerce list cell.
func wooList(values []string) string {
	var b strings.Builder
	for _, v := range values {
		v = wooEscape(cleanLine(v))
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v)
	}
	return b.String()
}

// wooEscape writes commas as "\," (WooCommerce's importer splits list cells on unescaped commas)
// and drops backslashes at the end, which would escape the separator that follows.
func wooEscape(v string) string {
	v = strings.TrimSpace(strings.TrimRight(v, `\`))
	return strings.ReplaceAll(v, ",", `\,`)
}

// wooSplit reads a WooCommerce list cell the way its importer does.
func wooSplit(cell string) []string {
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	const sep = "\x00"
	parts := strings.Split(strings.ReplaceAll(cell, `\,`, sep), ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(strings.ReplaceAll(p, sep, ","))
	}
	return parts
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// poundsText converts grams to pounds with three decimals ("1.102"), without a float; "" for 0.
func poundsText(grams int) string {
	if grams <= 0 {
		return ""
	}
	// milli-pounds = grams × 1000 / 453.59237, rounded half up
	const gramsPerPound = 45359237 // × 10^-5
	milli := (int64(grams)*100000000 + gramsPerPound/2) / gramsPerPound
	s := strconv.FormatInt(milli/1000, 10)
	if frac := milli % 1000; frac != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(1000+frac, 10)[1:], "0")
	}
	return s
}
