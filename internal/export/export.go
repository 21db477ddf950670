// Package export writes products to the files stores import: Shopify product CSV (the 2024+
// header), WooCommerce product CSV, and JSON, all from the one catalog variant model, and checks
// such files before anyone imports them (ValidateShopify, ValidateWoo, NewChecker).
//
// Writers stream: each Write formats one product and hands it to the underlying io.Writer, so
// memory does not grow with the number of products except for a few bytes per product that keep
// handles, product IDs (and, in the validators, SKUs) unique within one file.
//
// Every text in a product is untrusted. The writers make it safe to open and import:
//   - one-line text fields (titles, vendor, types and categories, option names and values,
//     barcodes) that start like a spreadsheet formula (=, +, -, @) lose those leading characters:
//     a title "+SUM(1,2) Phone Case" is written "SUM(1,2) Phone Case", which a store shows as it
//     is, where an apostrophe would show on the storefront. Each such edit is reported
//     (Options.Changed), so that it can be listed with the file's check;
//   - every other CSV cell that a spreadsheet would run as a formula (one starting with =, +, -,
//     @, tab or carriage return: a description) gets a leading apostrophe, as OWASP's CSV
//     injection guidance says. No cell is exempt: prices and stock are never negative, and
//     WooCommerce's importer strips the apostrophe again from the one negative value it needs
//     (Published -1, for drafts);
//   - descriptions go through the sanitizer (no script, style, iframe, event handlers or
//     javascript: URLs; images only from AliExpress's CDNs unless Options.Sanitizer allows more);
//   - one-line text fields (titles, vendor, types and categories, option names and values, tags,
//     SKUs, barcodes) lose every tag (sanitize.Text: WooCommerce prints product names unescaped,
//     so markup in a name would run on the storefront) and have their entities decoded; control
//     characters become spaces; invalid UTF-8 becomes U+FFFD. Quotes, commas, newlines, bidi
//     controls and emoji are kept and quoted by encoding/csv. The one exception is sku_attr,
//     which is kept as AliExpress wrote it (only control characters go), since a supplier order
//     must name it exactly; it goes to a meta column no storefront shows.
//
// Files are UTF-8, comma-delimited, "\n"-terminated and carry no byte-order mark (Shopify and
// WooCommerce read UTF-8 either way; a BOM only confuses other tools).
package export

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// Writer writes products to a store file one at a time. Close completes the file (a JSON array's
// closing bracket) and flushes it; it does not close the underlying io.Writer.
type Writer interface {
	// Write appends one product. A product that cannot be exported gives a *ProductError and
	// writes nothing; the writer stays usable. Any other error is final.
	Write(p *catalog.Product) error
	Close() error
}

// PriceFunc gives the store price and compare-at price ("was" price; zero for none) of one
// variant, e.g. from a pricing.Rule applied to v.Price.
type PriceFunc func(p *catalog.Product, v *catalog.Variant) (price, compareAt catalog.Money, err error)

// Store statuses (Options.Status).
const (
	StatusDraft    = "draft"
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Options shape an export.
type Options struct {
	// Price prices each variant. Nil sells at the supplier's price with no compare-at, which is
	// only right for a first look: set it.
	Price PriceFunc
	// Status is what the store should make of the products: StatusDraft (the default, so nothing
	// goes on sale by accident), StatusActive or StatusArchived. WooCommerce has no archive: an
	// archived or unpublished product is written as private (0), a draft as -1.
	Status string
	// Published puts active products on the online store (Shopify "Published on online store";
	// WooCommerce Published 1 rather than 0).
	Published bool
	// Tags are added to every product.
	Tags []string
	// ProductCategory maps a product to a Shopify Standard Product Taxonomy path ("Apparel &
	// Accessories > Clothing"). Shopify refuses categories outside its taxonomy, so AliExpress
	// category names go to Type instead and, when this is nil, the column stays empty.
	ProductCategory func(p *catalog.Product) string
	// Sanitizer sanitizes descriptions. The zero value keeps images only from AliExpress's CDNs;
	// the web app passes the policy its pages use.
	Sanitizer sanitize.Options
	// Changed, when set, is told of every edit a writer made to a written product's text to keep
	// the file safe (see the package documentation), once per product, field and text.
	Changed func(Change)
}

// Change is one edit a writer made to a product's text: a one-line field that started like a
// spreadsheet formula, written without the characters that made it one.
type Change struct {
	ProductID int64
	Field     string // "Title", "Vendor", "Category", "Option name", "Option value", "Barcode"
	From, To  string
}

// String says what changed, in ASCII (quoted with Go's %+q), fit for a log line or a header.
func (c Change) String() string {
	return fmt.Sprintf("product %d: %s %+q written as %+q", c.ProductID, c.Field, c.From, c.To)
}

// Validate reports an option that is out of range.
func (o Options) Validate() error {
	switch o.Status {
	case "", StatusDraft, StatusActive, StatusArchived:
		return nil
	}
	return fmt.Errorf("export: status %q: want draft, active or archived", o.Status)
}

func (o Options) status() string {
	if o.Status == "" {
		return StatusDraft
	}
	return o.Status
}

// Formats New knows.
const (
	FormatShopify     = "shopify"
	FormatWooCommerce = "woocommerce"
	FormatJSON        = "json"
)

// New returns the writer for format: "shopify", "woocommerce" or "json".
func New(format string, w io.Writer, opts Options) (Writer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	switch format {
	case FormatShopify:
		return NewShopifyWriter(w, opts), nil
	case FormatWooCommerce:
		return NewWooWriter(w, opts), nil
	case FormatJSON:
		return NewJSONWriter(w, opts), nil
	}
	return nil, fmt.Errorf("export: unknown format %q: want shopify, woocommerce or json", format)
}

// Errors a *ProductError wraps.
var (
	// ErrTooManyOptions: the product has more than three variant dimensions, more than Shopify
	// allows. AliExpress products have at most three; such a product is refused, not merged.
	ErrTooManyOptions = errors.New("more than 3 options")
	// ErrInvalidProduct: the product's variants are inconsistent (see the message).
	ErrInvalidProduct = errors.New("invalid product")
	// ErrDuplicate: the product was already written to this file.
	ErrDuplicate = errors.New("product already in this file")
	// ErrPrice: the PriceFunc failed or gave an unusable price.
	ErrPrice = errors.New("cannot price")
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("export: writer closed")

// ProductError says why one product was left out of a file.
type ProductError struct {
	ProductID int64
	Err       error
}

// Error names the product and why it was left out.
func (e *ProductError) Error() string {
	return fmt.Sprintf("export: product %d: %v", e.ProductID, e.Err)
}

// Unwrap returns the reason, for errors.Is with ErrTooManyOptions and the others.
func (e *ProductError) Unwrap() error { return e.Err }

func productErr(p *catalog.Product, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if msg == "" {
		return &ProductError{ProductID: p.ID, Err: sentinel}
	}
	return &ProductError{ProductID: p.ID, Err: fmt.Errorf("%w: %s", sentinel, msg)}
}

// product is a catalog.Product made ready to write: cleaned text, checked variants, prices.
type product struct {
	p           *catalog.Product
	title       string
	vendor      string
	category    string // p.Category.Name, cleaned
	topCategory string
	description string
	changes     []Change // the edits cleaning made, for Options.Changed
	// keepFormulas keeps text that starts like a formula as it is: for JSON, which no
	// spreadsheet runs.
	keepFormulas bool
	options      []option
	variants     []variant
	images       []string // gallery, safe URLs only
}

type option struct {
	name   string
	values []string // distinct values in the order variants use them
}

type variant struct {
	v         *catalog.Variant
	sku       string
	values    []string
	price     string
	compareAt string // "" for none
	cost      string
	currency  string // of price, compare-at and cost alike
	stock     int    // -1 unknown
	image     string
	barcode   string
	attr      string
}

// prepare checks p and fills d, reusing d's slices.
func (d *product) prepare(p *catalog.Product, opts *Options) error {
	d.p = p
	d.changes = d.changes[:0]
	d.title = d.text("Title", p.Title)
	d.vendor = d.text("Vendor", p.Shop.Name)
	d.category = d.text("Category", p.Category.Name)
	d.topCategory = d.text("Category", p.TopCategory.Name)
	d.description = opts.Sanitizer.HTML(p.DescriptionHTML)
	d.images = d.images[:0]
	for _, img := range p.Images {
		if u := safeURL(img); u != "" {
			d.images = append(d.images, u)
		}
	}
	if len(p.Variants) == 0 {
		return productErr(p, ErrInvalidProduct, "no variants")
	}
	if len(p.Options) > 3 {
		return productErr(p, ErrTooManyOptions, "%d options", len(p.Options))
	}
	if len(p.Options) == 0 && len(p.Variants) > 1 {
		return productErr(p, ErrInvalidProduct, "%d variants but no options to tell them apart", len(p.Variants))
	}
	d.options = d.options[:0]
	for i, o := range p.Options {
		name := d.text("Option name", o.Name)
		if name == "" {
			return productErr(p, ErrInvalidProduct, "option %d has no name", i+1)
		}
		for _, prev := range d.options {
			if strings.EqualFold(prev.name, name) {
				return productErr(p, ErrInvalidProduct, "option %q given twice", name)
			}
		}
		d.options = append(d.options, option{name: name})
	}
	if len(d.options) > 0 && d.options[0].name == "Title" {
		for _, v := range p.Variants {
			if len(v.Values) > 0 && cleanValue(v.Values[0]) == "Default Title" {
				return productErr(p, ErrInvalidProduct, `option "Title" with value "Default Title" is Shopify's no-options marker`)
			}
		}
	}
	if cap(d.variants) < len(p.Variants) {
		d.variants = make([]variant, len(p.Variants))
	}
	d.variants = d.variants[:len(p.Variants)]
	currency := ""
	for i := range p.Variants {
		v := &p.Variants[i]
		dv := &d.variants[i]
		dv.v = v
		if len(v.Values) != len(p.Options) {
			return productErr(p, ErrInvalidProduct, "variant %q has %d option values for %d options", v.SKUID, len(v.Values), len(p.Options))
		}
		dv.values = dv.values[:0]
		for j, val := range v.Values {
			val = d.value("Option value", val)
			if val == "" {
				return productErr(p, ErrInvalidProduct, "variant %q has no value for %q", v.SKUID, d.options[j].name)
			}
			dv.values = append(dv.values, val)
			d.options[j].addValue(val)
		}
		for k := range i {
			if equalValues(d.variants[k].values, dv.values) {
				return productErr(p, ErrInvalidProduct, "variants %q and %q have the same options %q", d.variants[k].v.SKUID, v.SKUID, strings.Join(dv.values, " / "))
			}
		}
		id := v.SKUID
		if plainText(id) == "" && len(p.Options) > 0 {
			id = strconv.Itoa(i + 1) // AE-<productID> alone is the parent's SKU in WooCommerce
		}
		dv.sku = sku(p.ID, id)
		for k := range i {
			if d.variants[k].sku == dv.sku {
				return productErr(p, ErrInvalidProduct, "two variants with SKU %q", dv.sku)
			}
		}
		price, compareAt, err := priceOf(opts, p, v)
		if err != nil {
			return &ProductError{ProductID: p.ID, Err: fmt.Errorf("%w: variant %q: %v", ErrPrice, v.SKUID, err)}
		}
		for _, m := range []catalog.Money{price, compareAt, v.Price} {
			if m.IsZero() {
				continue
			}
			if m.Amount < 0 {
				return productErr(p, ErrPrice, "variant %q: negative amount %s", v.SKUID, m)
			}
			if currency == "" {
				currency = m.Currency
			} else if m.Currency != currency {
				return productErr(p, ErrPrice, "variant %q: amounts in %s and %s; a store file has one currency", v.SKUID, currency, m.Currency)
			}
		}
		dv.currency = currency
		dv.price = price.Decimal()
		dv.compareAt = ""
		if compareAt.Amount > price.Amount {
			dv.compareAt = compareAt.Decimal()
		}
		dv.cost = v.Price.Decimal()
		dv.stock = max(v.Stock, -1)
		dv.image = safeURL(v.Image)
		dv.barcode = d.text("Barcode", v.Barcode)
		dv.attr = cleanLine(v.Attr)
	}
	return nil
}

// text cleans s for the one-line field field (cleanText).
func (d *product) text(field, s string) string {
	if d.keepFormulas {
		return plainText(s)
	}
	return d.note(field, s, cleanText(s))
}

// value cleans the option value s (cleanValue).
func (d *product) value(field, s string) string {
	if d.keepFormulas {
		return valueText(s, false)
	}
	return d.note(field, s, cleanValue(s))
}

// note records in d.changes that cleaning s for field gave out without the leading characters of
// a formula.
func (d *product) note(field, s, out string) string {
	if before := plainText(s); before != out && formulaStart(strings.TrimLeft(before, "'")) {
		for _, c := range d.changes {
			if c.Field == field && c.From == before {
				return out
			}
		}
		d.changes = append(d.changes, Change{ProductID: d.p.ID, Field: field, From: before, To: out})
	}
	return out
}

// report tells opts.Changed of the edits made to the product just written.
func (d *product) report(opts *Options) {
	if opts.Changed == nil {
		return
	}
	for _, c := range d.changes {
		opts.Changed(c)
	}
}

// displayTitle is the title, or "AliExpress <id>" for a product without one: both stores
// require a name.
func (d *product) displayTitle() string {
	if d.title != "" {
		return d.title
	}
	return "AliExpress " + strconv.FormatInt(d.p.ID, 10)
}

func priceOf(opts *Options, p *catalog.Product, v *catalog.Variant) (price, compareAt catalog.Money, err error) {
	if opts.Price == nil {
		return v.Price, catalog.Money{}, nil
	}
	return opts.Price(p, v)
}

func (o *option) addValue(v string) {
	for _, have := range o.values {
		if have == v {
			return
		}
	}
	o.values = append(o.values, v)
}

func equalValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sku is the store SKU of a variant: AE-<productID>-<skuID>, or AE-<productID> without a SKU ID.
func sku(productID int64, skuID string) string {
	s := "AE-" + strconv.FormatInt(productID, 10)
	if id := plainText(skuID); id != "" { // inside the SKU, a formula character is harmless
		s += "-" + id
	}
	return s
}

// cleanText makes untrusted text that may hold markup fit a one-line field: its plain text
// (plainText), without the leading characters that would make a spreadsheet run it as a formula.
func cleanText(s string) string {
	return stripFormula(plainText(s))
}

// plainText is the plain text of s (sanitize.Text: no tags, entities decoded), cleaned by
// cleanLine.
func plainText(s string) string {
	return cleanLine(sanitize.Text(s))
}

// stripFormula drops the characters (=, +, -, @, and spaces between them) that make the start of
// a one-line field read as a formula.
func stripFormula(s string) string {
	return strings.TrimLeft(s, "=+-@ ")
}

// cleanLine makes untrusted text fit one CSV cell of a one-line field: valid UTF-8, control
// characters (including newlines and tabs) replaced by spaces, runs of spaces collapsed, trimmed.
func cleanLine(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isPlain reports whether s is already clean: printable ASCII with single inner spaces.
func isPlain(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// cleanValue cleans an option value. Two more things make it fit every format: a trailing
// backslash goes (it would escape WooCommerce's list separator), and so do apostrophes before
// =, +, - or @, which is taken as an earlier neutralization; then the formula characters go, as
// in every one-line field.
func cleanValue(s string) string { return valueText(s, true) }

// valueText is cleanValue, with the formula characters kept when strip is false (JSON).
func valueText(s string, strip bool) string {
	s = plainText(s)
	if t := strings.TrimLeft(s, "'"); t != s && t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		s = t
	}
	if strip {
		s = stripFormula(s)
	}
	return strings.TrimRight(s, `\ `)
}

// safeURL returns u when it is an absolute http(s) URL ("//host/…" becomes https), else "".
// Image URLs are fetched by the store during import, so nothing else is useful there.
func safeURL(raw string) string {
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	if s == "" || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	return s
}

// formulaStart reports whether a spreadsheet would read a cell starting like s as a formula.
func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// neutralize prefixes a formula-looking cell with an apostrophe (OWASP CSV injection).
func neutralize(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// idSet remembers 64-bit keys (product IDs, hashes of handles) in a few bytes each.
type idSet map[uint64]struct{}

// add reports whether k was new.
func (s idSet) add(k uint64) bool {
	if _, ok := s[k]; ok {
		return false
	}
	s[k] = struct{}{}
	return true
}

func (s idSet) has(k uint64) bool {
	_, ok := s[k]
	return ok
}

// hashString is FNV-1a 64: deterministic, so that a file comes out the same every time.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
