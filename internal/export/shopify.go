package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
)

// ShopifyHeader is the Shopify product CSV header of 2024 and later, in order (Shopify's
// product_template.csv). The legacy header ("Handle", "Body (HTML)", "Variant SKU"…) is not
// written.
var ShopifyHeader = []string{
	"Title", "URL handle", "Description", "Vendor", "Product category", "Type", "Tags",
	"Published on online store", "Status", "SKU", "Barcode",
	"Option1 name", "Option1 value", "Option1 Linked To",
	"Option2 name", "Option2 value", "Option2 Linked To",
	"Option3 name", "Option3 value", "Option3 Linked To",
	"Price", "Compare-at price", "Cost per item", "Charge tax", "Tax code",
	"Unit price total measure", "Unit price total measure unit",
	"Unit price base measure", "Unit price base measure unit",
	"Inventory tracker", "Inventory quantity", "Continue selling when out of stock",
	"Weight value (grams)", "Weight unit for display", "Requires shipping", "Fulfillment service",
	"Product image URL", "Image position", "Image alt text", "Variant image URL", "Gift card",
	"SEO title", "SEO description",
	"Color (product.metafields.shopify.color-pattern)",
	"Google Shopping / Google product category", "Google Shopping / Gender",
	"Google Shopping / Age group", "Google Shopping / Manufacturer part number (MPN)",
	"Google Shopping / Ad group name", "Google Shopping / Ads labels",
	"Google Shopping / Condition", "Google Shopping / Custom product",
	"Google Shopping / Custom label 0", "Google Shopping / Custom label 1",
	"Google Shopping / Custom label 2", "Google Shopping / Custom label 3",
	"Google Shopping / Custom label 4",
}

// Columns of ShopifyHeader.
const (
	shTitle = iota
	shHandle
	shDescription
	shVendor
	shCategory
	shType
	shTags
	shPublished
	shStatus
	shSKU
	shBarcode
	shOption1Name // then value and Linked To; three per option
	shPrice       = shOption1Name + 9
)

const (
	shCompareAt = shPrice + 1 + iota
	shCost
	shChargeTax
	shTaxCode
	shUnitTotal
	shUnitTotalUnit
	shUnitBase
	shUnitBaseUnit
	shTracker
	shQuantity
	shContinueSelling
	shWeight
	shWeightUnit
	shRequiresShipping
	shFulfillment
	shImage
	shImagePosition
	shImageAlt
	shVariantImage
	shGiftCard
	shSEOTitle
	shSEODescription
	shColumns = shSEODescription + 15
)

// ShopifyWriter writes the Shopify product CSV. Each product becomes:
//   - a first row with the product's fields (title, description, vendor, type, tags, status),
//     its first image and its first variant;
//   - one row per further variant with the variant's fields and image;
//   - one row per further gallery image, with its position.
//
// The URL handle comes from the title (see Handle) and is made unique within the file with
// -2, -3…; a product without options gets Shopify's Option1 "Title" / "Default Title". Cost per
// item is the supplier's price, Price and Compare-at price come from Options.Price, Inventory
// quantity is the supplier's stock (empty when unknown), tracked by Shopify, with DENY for
// selling out of stock.
type ShopifyWriter struct {
	csv     *csv.Writer
	opts    Options
	err     error // sticky
	started bool
	closed  bool
	handles *handles
	ids     idSet
	prod    product
	rows    [][]string // reused row buffers
}

// NewShopifyWriter returns a writer of Shopify product CSV to w. Invalid options make every
// Write fail.
func NewShopifyWriter(w io.Writer, opts Options) *ShopifyWriter {
	return &ShopifyWriter{csv: csv.NewWriter(w), opts: opts, err: opts.Validate(), handles: newHandles(), ids: idSet{}}
}

// Write appends one product's rows (see ShopifyWriter).
func (sw *ShopifyWriter) Write(p *catalog.Product) error {
	if err := sw.check(); err != nil {
		return err
	}
	if sw.ids.has(uint64(p.ID)) {
		return productErr(p, ErrDuplicate, "")
	}
	if err := sw.prod.prepare(p, &sw.opts); err != nil {
		return err
	}
	if !sw.started {
		sw.started = true
		if sw.err = sw.csv.Write(ShopifyHeader); sw.err != nil {
			return sw.err
		}
	}
	sw.ids.add(uint64(p.ID))
	d := &sw.prod
	handle := sw.handles.assign(Handle(d.title, p.ID))
	n := len(d.variants)
	if len(d.images) > 1 {
		n += len(d.images) - 1
	}
	rows := sw.rowBuffers(n)

	first := rows[0]
	first[shTitle] = d.displayTitle()
	first[shDescription] = d.description
	first[shVendor] = d.vendor
	if sw.opts.ProductCategory != nil {
		first[shCategory] = cleanText(sw.opts.ProductCategory(p))
	}
	first[shType] = d.category
	first[shTags] = shopifyTags(sw.opts.Tags)
	first[shPublished] = strings.ToUpper(strconv.FormatBool(sw.opts.Published))
	first[shStatus] = sw.opts.status()
	first[shGiftCard] = "FALSE"
	if len(d.options) == 0 {
		first[shOption1Name] = "Title"
	}
	for i, o := range d.options {
		first[shOption1Name+3*i] = o.name
	}
	if len(d.images) > 0 {
		first[shImage] = d.images[0]
		first[shImagePosition] = "1"
	}
	for i := range d.variants {
		row := rows[i]
		row[shHandle] = handle
		sw.variantFields(row, &d.variants[i], len(d.options) == 0)
	}
	for i := 1; i < len(d.images); i++ {
		row := rows[len(d.variants)+i-1]
		row[shHandle] = handle
		row[shImage] = d.images[i]
		row[shImagePosition] = strconv.Itoa(i + 1)
	}
	for _, row := range rows {
		for i, c := range row {
			row[i] = neutralize(c)
		}
		if err := sw.csv.Write(row); err != nil {
			sw.err = err
			return err
		}
	}
	d.report(&sw.opts)
	return nil
}

func (sw *ShopifyWriter) variantFields(row []string, v *variant, noOptions bool) {
	row[shSKU] = v.sku
	row[shBarcode] = v.barcode
	if noOptions {
		row[shOption1Name+1] = "Default Title"
	}
	for i, val := range v.values {
		row[shOption1Name+3*i+1] = val
	}
	row[shPrice] = v.price
	row[shCompareAt] = v.compareAt
	row[shCost] = v.cost
	row[shChargeTax] = "TRUE"
	row[shTracker] = "shopify"
	if v.stock >= 0 {
		row[shQuantity] = strconv.Itoa(v.stock)
	}
	row[shContinueSelling] = "DENY"
	if g := sw.prod.p.WeightGrams; g > 0 {
		row[shWeight] = strconv.Itoa(g)
		row[shWeightUnit] = "g"
	}
	row[shRequiresShipping] = "TRUE"
	row[shFulfillment] = "manual"
	row[shVariantImage] = v.image
}

// rowBuffers returns n cleared rows, reusing earlier ones.
func (sw *ShopifyWriter) rowBuffers(n int) [][]string {
	for len(sw.rows) < n {
		sw.rows = append(sw.rows, make([]string, shColumns))
	}
	rows := sw.rows[:n]
	for _, r := range rows {
		clear(r)
	}
	return rows
}

func (sw *ShopifyWriter) check() error {
	if sw.closed {
		return ErrClosed
	}
	return sw.err
}

// Close writes the header if no product was written, and flushes.
func (sw *ShopifyWriter) Close() error {
	if sw.closed {
		return sw.err
	}
	sw.closed = true
	if sw.err != nil {
		return sw.err
	}
	if !sw.started {
		sw.started = true
		if sw.err = sw.csv.Write(ShopifyHeader); sw.err != nil {
			return sw.err
		}
	}
	sw.csv.Flush()
	sw.err = sw.csv.Error()
	return sw.err
}

// shopifyTags joins tags with ", " (Shopify's separator), dropping commas inside a tag.
func shopifyTags(tags []string) string {
	var out []string
	for _, t := range tags {
		if t = cleanText(strings.ReplaceAll(t, ",", " ")); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}
