package export

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxShopifyBytes is the largest product CSV Shopify imports (15 MB); split bigger exports.
const MaxShopifyBytes = 15 << 20

// maxProblems bounds a ValidationError; the rest are only counted.
const maxProblems = 200

// maxShopifyVariants is Shopify's variant limit per product.
const maxShopifyVariants = 2048

// Problem is one thing wrong in a file.
type Problem struct {
	Line    int    // 1-based line of the CSV record (0 for the file as a whole)
	Column  string // the header name, or "" for the row or file
	Message string
}

// String formats the problem as "line 3: Price: …".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, "%s: ", p.Column)
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists everything wrong with a file, in file order.
type ValidationError struct {
	Format   string
	Problems []Problem // at most 200
	More     int       // problems found beyond Problems
}

// Error gives the number of problems and the first five.
func (e *ValidationError) Error() string {
	n := len(e.Problems) + e.More
	var b strings.Builder
	fmt.Fprintf(&b, "export: %s file: %d problem", e.Format, n)
	if n != 1 {
		b.WriteByte('s')
	}
	for i, p := range e.Problems {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", n-5)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

type problems struct {
	format string
	list   []Problem
	more   int
}

func (ps *problems) add(line int, column, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, Problem{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Format: ps.format, Problems: ps.list, More: ps.more}
}

// Validate checks a file of the given format ("shopify", "woocommerce" or "json").
func Validate(format string, r io.Reader) error {
	switch format {
	case FormatShopify:
		return ValidateShopify(r)
	case FormatWooCommerce:
		return ValidateWoo(r)
	case FormatJSON:
		return ValidateJSON(r)
	}
	return fmt.Errorf("export: unknown format %q: want shopify, woocommerce or json", format)
}

// ValidateShopify checks a Shopify product CSV before import and returns a *ValidationError with
// every problem found: the header is exactly ShopifyHeader; the file is UTF-8 and at most 15 MB;
// no cell starts like a formula; each product's rows are together under one URL handle, unique in
// the file, of lowercase letters, digits and hyphens, at most 255 characters; the first row has a
// title, a status and options without gaps (at most three, by the header); "Title" / "Default
// Title" is not mixed with real options; every variant row has a value for each option and no
// two variants of a product have the same values; prices are decimals ≥ 0, compare-at prices
// above the price; SKUs are unique; at most 2048 variants per product. It reads r once, as a
// stream; memory grows only by a hash per handle and per SKU.
func ValidateShopify(r io.Reader) error {
	v := &shopifyValidator{handles: idSet{}, skus: idSet{}, combos: map[string]int{}}
	return validateCSV(r, FormatShopify, ShopifyHeader, MaxShopifyBytes, v)
}

// ValidateWoo checks a WooCommerce product CSV before import and returns a *ValidationError with
// every problem found: the header is exactly WooHeader; UTF-8; no formula cells; known types;
// Published 1, 0 or -1; SKUs unique; prices decimals ≥ 0 with a sale price below the regular
// price; every variation comes after its variable parent, names the parent's attributes, and
// has one value per attribute from the parent's list (or none, meaning any).
func ValidateWoo(r io.Reader) error {
	v := &wooValidator{skus: idSet{}, parents: map[string]*wooParent{}}
	return validateCSV(r, FormatWooCommerce, WooHeader, 0, v)
}

// rowValidator checks the rows of one CSV format.
type rowValidator interface {
	row(ps *problems, line int, rec []string)
	end(ps *problems)
}

func validateCSV(r io.Reader, format string, header []string, maxBytes int64, v rowValidator) error {
	ps := &problems{format: format}
	cr := &countingReader{r: r}
	var src io.Reader = cr
	if maxBytes > 0 {
		src = io.LimitReader(cr, maxBytes+1)
	}
	cv := csv.NewReader(src)
	cv.ReuseRecord = true
	cv.FieldsPerRecord = -1
	first := true
	for {
		rec, err := cv.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ps.add(pe.StartLine, "", "not valid CSV: %v", pe.Err)
			} else {
				ps.add(0, "", "reading: %v", err)
			}
			return ps.err()
		}
		line, _ := cv.FieldPos(0)
		if first {
			first = false
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
			}
			if !checkHeader(ps, header, rec) {
				return ps.err()
			}
			continue
		}
		if len(rec) != len(header) {
			ps.add(line, "", "%d cells; the header has %d", len(rec), len(header))
			continue
		}
		for i, c := range rec {
			if !utf8.ValidString(c) {
				ps.add(line, header[i], "not UTF-8")
				rec[i] = strings.ToValidUTF8(c, "\uFFFD")
			}
			if formulaStart(c) {
				ps.add(line, header[i], "starts with %q, which a spreadsheet runs as a formula", c[:1])
			}
		}
		v.row(ps, line, rec)
	}
	if first {
		ps.add(0, "", "empty file: no header")
		return ps.err()
	}
	v.end(ps)
	if maxBytes > 0 && cr.n > maxBytes {
		ps.add(0, "", "larger than %d MB; split it into several files", maxBytes>>20)
	}
	return ps.err()
}

func checkHeader(ps *problems, want, got []string) bool {
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			ps.add(1, "", "header ends after %d columns; column %d should be %q", len(got), i+1, want[i])
		case i >= len(want):
			ps.add(1, "", "header has %d columns; want %d (extra %q)", len(got), len(want), got[i])
		case got[i] != want[i]:
			ps.add(1, "", "header column %d is %q; want %q", i+1, got[i], want[i])
		default:
			continue
		}
		return false
	}
	return true
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type shopifyValidator struct {
	handles, skus idSet
	handle        string // of the product being read
	handleLine    int
	names         [3]string
	defaultTitle  bool
	variants      int
	combos        map[string]int // option values → line, for the product being read
}

func (v *shopifyValidator) row(ps *problems, line int, rec []string) {
	h := rec[shHandle]
	if h == "" {
		ps.add(line, "URL handle", "empty; every row needs its product's handle")
		return
	}
	if h != v.handle {
		v.end(ps)
		v.startProduct(ps, line, rec)
	} else {
		for i := range 3 {
			if n := rec[shOption1Name+3*i]; n != "" && n != v.names[i] {
				ps.add(line, ShopifyHeader[shOption1Name+3*i], "%q differs from %q on the product's first row", n, v.names[i])
			}
		}
	}
	if isShopifyVariantRow(rec) || h != v.handle {
		v.variantRow(ps, line, rec)
	} else if rec[shImage] == "" {
		ps.add(line, "", "neither a variant nor an image")
	}
	v.handle = h
	if s := rec[shImage]; s != "" && safeURL(s) != s {
		ps.add(line, "Product image URL", "not an absolute http(s) URL")
	}
	if s := rec[shVariantImage]; s != "" && safeURL(s) != s {
		ps.add(line, "Variant image URL", "not an absolute http(s) URL")
	}
	if s := rec[shImagePosition]; s != "" && !isPositiveInt(s) {
		ps.add(line, "Image position", "%q is not a positive whole number", s)
	}
}

func (v *shopifyValidator) startProduct(ps *problems, line int, rec []string) {
	h := rec[shHandle]
	v.handleLine, v.variants, v.defaultTitle = line, 0, false
	clear(v.combos)
	if !v.handles.add(hashString(h)) {
		ps.add(line, "URL handle", "%q was used by an earlier product; a product's rows go together and handles are unique", h)
	}
	if len(h) > maxHandle {
		ps.add(line, "URL handle", "%d characters; at most %d", len(h), maxHandle)
	}
	if !isHandle(h) {
		ps.add(line, "URL handle", "%q: want lowercase letters, digits and hyphens only", h)
	}
	if rec[shTitle] == "" {
		ps.add(line, "Title", "empty on the product's first row")
	}
	switch rec[shStatus] {
	case "active", "draft", "archived", "":
	default:
		ps.add(line, "Status", "%q: want active, draft or archived", rec[shStatus])
	}
	switch rec[shPublished] {
	case "TRUE", "FALSE", "":
	default:
		ps.add(line, "Published on online store", "%q: want TRUE or FALSE", rec[shPublished])
	}
	for i := range 3 {
		v.names[i] = rec[shOption1Name+3*i]
		if v.names[i] != "" && i > 0 && v.names[i-1] == "" {
			ps.add(line, ShopifyHeader[shOption1Name+3*i], "set while option %d has no name", i)
		}
		for j := range i {
			if v.names[i] != "" && strings.EqualFold(v.names[i], v.names[j]) {
				ps.add(line, ShopifyHeader[shOption1Name+3*i], "%q is also option %d", v.names[i], j+1)
			}
		}
	}
	if v.names[0] == "Title" && rec[shOption1Name+1] == "Default Title" {
		v.defaultTitle = true
		if v.names[1] != "" || v.names[2] != "" {
			ps.add(line, "Option2 name", `"Title" / "Default Title" mixed with real options`)
		}
	}
}

func (v *shopifyValidator) variantRow(ps *problems, line int, rec []string) {
	v.variants++
	if v.variants == maxShopifyVariants+1 {
		ps.add(line, "", "more than %d variants for %q", maxShopifyVariants, rec[shHandle])
	}
	if v.defaultTitle && v.variants > 1 {
		ps.add(line, "Option1 value", `a second variant of a product with "Default Title"; Shopify says "variant Default Title already exists"`)
	}
	var key strings.Builder
	for i := range 3 {
		col := ShopifyHeader[shOption1Name+3*i+1]
		val := rec[shOption1Name+3*i+1]
		switch {
		case v.names[i] != "" && val == "":
			ps.add(line, col, "empty; option %q needs a value on every variant", v.names[i])
		case v.names[i] == "" && val != "":
			ps.add(line, col, "%q for an option with no name", val)
		}
		if !v.defaultTitle && v.names[i] == "Title" && val == "Default Title" {
			ps.add(line, col, `"Default Title" mixed with real options`)
		}
		key.WriteString(strings.ToLower(val))
		key.WriteByte(0)
	}
	if first, ok := v.combos[key.String()]; ok {
		ps.add(line, "", "the same option values as line %d", first)
	} else {
		v.combos[key.String()] = line
	}
	price := rec[shPrice]
	switch {
	case price == "":
		ps.add(line, "Price", "empty on a variant row")
	case !isDecimal(price):
		ps.add(line, "Price", "%q is not a decimal number ≥ 0", price)
	}
	if ca := rec[shCompareAt]; ca != "" {
		if !isDecimal(ca) {
			ps.add(line, "Compare-at price", "%q is not a decimal number ≥ 0", ca)
		} else if isDecimal(price) && cmpDecimal(ca, price) <= 0 {
			ps.add(line, "Compare-at price", "%s is not above the price %s", ca, price)
		}
	}
	if c := rec[shCost]; c != "" && !isDecimal(c) {
		ps.add(line, "Cost per item", "%q is not a decimal number ≥ 0", c)
	}
	if w := rec[shWeight]; w != "" && !isDecimal(w) {
		ps.add(line, "Weight value (grams)", "%q is not a decimal number ≥ 0", w)
	}
	if q := rec[shQuantity]; q != "" && !isUint(q) {
		ps.add(line, "Inventory quantity", "%q is not a whole number", q)
	}
	switch strings.ToUpper(rec[shContinueSelling]) {
	case "", "DENY", "CONTINUE":
	default:
		ps.add(line, "Continue selling when out of stock", "%q: want DENY or CONTINUE", rec[shContinueSelling])
	}
	if s := rec[shSKU]; s != "" && !v.skus.add(hashString(s)) {
		ps.add(line, "SKU", "%q is used by an earlier variant", s)
	}
}

func (v *shopifyValidator) end(ps *problems) {}

// isShopifyVariantRow reports whether a row carries variant fields (else it is an image row).
func isShopifyVariantRow(rec []string) bool {
	for _, c := range []int{shSKU, shPrice, shCompareAt, shCost, shQuantity, shOption1Name + 1, shOption1Name + 4, shOption1Name + 7} {
		if rec[c] != "" {
			return true
		}
	}
	return false
}

type wooParent struct {
	line   int
	names  [3]string
	values [3][]string
}

type wooValidator struct {
	skus    idSet
	parents map[string]*wooParent // by SKU and by "id:<ID>"
}

// wooTypes are the product types WooCommerce's importer knows.
var wooTypes = map[string]bool{"simple": true, "variable": true, "variation": true, "grouped": true,
	"external": true, "virtual": true, "downloadable": true}

func (v *wooValidator) row(ps *problems, line int, rec []string) {
	types := wooSplit(rec[wcType])
	if len(types) == 0 {
		ps.add(line, "Type", "empty")
	}
	kind := ""
	for _, t := range types {
		if !wooTypes[t] {
			ps.add(line, "Type", "%q: want simple, variable, variation, grouped, external, virtual or downloadable", t)
		}
		if t == "variable" || t == "variation" || t == "simple" {
			kind = t
		}
	}
	if s := rec[wcSKU]; s != "" && !v.skus.add(hashString(s)) {
		ps.add(line, "SKU", "%q is used by an earlier row", s)
	}
	switch rec[wcPublished] {
	case "", "1", "0", "'-1", "-1":
	default:
		ps.add(line, "Published", "%q: want 1, 0 or -1", rec[wcPublished])
	}
	switch rec[wcInStock] {
	case "", "1", "0", "backorder":
	default:
		ps.add(line, "In stock?", "%q: want 1 or 0", rec[wcInStock])
	}
	if s := rec[wcStock]; s != "" && !isUint(s) {
		ps.add(line, "Stock", "%q is not a whole number", s)
	}
	if s := rec[wcPosition]; s != "" && !isUint(s) {
		ps.add(line, "Position", "%q is not a whole number", s)
	}
	reg, sale := rec[wcRegularPrice], rec[wcSalePrice]
	for _, c := range []int{wcRegularPrice, wcSalePrice} {
		if s := rec[c]; s != "" && !isDecimal(s) {
			ps.add(line, WooHeader[c], "%q is not a decimal number ≥ 0", s)
		}
	}
	if sale != "" && isDecimal(sale) && (reg == "" || (isDecimal(reg) && cmpDecimal(sale, reg) >= 0)) {
		ps.add(line, "Sale price", "%s is not below the regular price %q", sale, reg)
	}
	for _, u := range wooSplit(rec[wcImages]) {
		if safeURL(u) != u {
			ps.add(line, "Images", "%q is not an absolute http(s) URL", u)
		}
	}
	if kind != "variation" && rec[wcName] == "" {
		ps.add(line, "Name", "empty")
	}
	switch kind {
	case "variable":
		v.parent(ps, line, rec)
	case "variation":
		v.variation(ps, line, rec)
	}
}

func (v *wooValidator) parent(ps *problems, line int, rec []string) {
	p := &wooParent{line: line}
	for i := range 3 {
		a := rec[wcAttr1Name+4*i:]
		p.names[i], p.values[i] = wooUnescape(a[0]), wooSplit(wooUnescape(a[1]))
		if a[0] == "" && a[1] != "" {
			ps.add(line, WooHeader[wcAttr1Name+4*i+1], "values for an attribute with no name")
		}
		if a[0] != "" && len(p.values[i]) == 0 {
			ps.add(line, WooHeader[wcAttr1Name+4*i+1], "no values for attribute %q", a[0])
		}
	}
	if p.names[0] == "" && p.names[1] == "" && p.names[2] == "" {
		ps.add(line, "Attribute 1 name", "a variable product needs attributes")
	}
	if s := rec[wcSKU]; s != "" {
		v.parents[s] = p
	}
	if id := rec[wcID]; id != "" {
		v.parents["id:"+id] = p
	}
}

func (v *wooValidator) variation(ps *problems, line int, rec []string) {
	ref := rec[wcParent]
	if ref == "" {
		ps.add(line, "Parent", "empty on a variation")
		return
	}
	p := v.parents[ref]
	if p == nil {
		ps.add(line, "Parent", "%q is not a variable product earlier in the file; parents come before their variations", ref)
		return
	}
	for i := range 3 {
		a := rec[wcAttr1Name+4*i:]
		name, vals := wooUnescape(a[0]), wooSplit(wooUnescape(a[1]))
		if name == "" {
			if len(vals) > 0 {
				ps.add(line, WooHeader[wcAttr1Name+4*i+1], "values for an attribute with no name")
			}
			continue
		}
		if name != p.names[i] {
			ps.add(line, WooHeader[wcAttr1Name+4*i], "%q; the parent on line %d has %q", name, p.line, p.names[i])
			continue
		}
		if len(vals) > 1 {
			ps.add(line, WooHeader[wcAttr1Name+4*i+1], "%d values; a variation has one (or none, meaning any)", len(vals))
			continue
		}
		if len(vals) == 1 && !contains(p.values[i], vals[0]) {
			ps.add(line, WooHeader[wcAttr1Name+4*i+1], "%q is not among the parent's values for %q", vals[0], name)
		}
	}
}

func (v *wooValidator) end(ps *problems) {}

// ValidateJSON checks a JSON export: one array of products, each with an ID and at least one
// variant, every variant with a SKU unique in the file and decimal prices.
func ValidateJSON(r io.Reader) error {
	ps := &problems{format: FormatJSON}
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		ps.add(0, "", "not a JSON array")
		return ps.err()
	}
	skus := idSet{}
	for i := 1; dec.More(); i++ {
		var p JSONProduct
		if err := dec.Decode(&p); err != nil {
			ps.add(0, "", "product %d: %v", i, err)
			return ps.err()
		}
		if p.ID == 0 {
			ps.add(0, "", "product %d: no id", i)
		}
		if len(p.Variants) == 0 {
			ps.add(0, "", "product %d: no variants", i)
		}
		for _, v := range p.Variants {
			if !skus.add(hashString(v.SKU)) {
				ps.add(0, "", "product %d: SKU %q is used by an earlier variant", i, v.SKU)
			}
			if !isDecimal(v.Price.Amount) || !isDecimal(v.Cost.Amount) {
				ps.add(0, "", "product %d: SKU %q: price %q or cost %q is not a decimal number ≥ 0", i, v.SKU, v.Price.Amount, v.Cost.Amount)
			}
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		ps.add(0, "", "the array does not end")
	}
	return ps.err()
}

// wooUnescape undoes formula neutralization the way WooCommerce's importer does (unescape_data):
// an apostrophe before =, +, - or @ goes.
func wooUnescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isHandle reports whether s is lowercase letters, digits and hyphens.
func isHandle(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// isDecimal reports whether s is a plain non-negative decimal: digits, optionally a point and
// more digits.
func isDecimal(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	return whole != "" && isUint(whole) && (!dot || (frac != "" && isUint(frac)))
}

func isUint(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPositiveInt(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && isUint(s)
}

// cmpDecimal compares two isDecimal strings exactly.
func cmpDecimal(a, b string) int {
	aw, af, _ := strings.Cut(a, ".")
	bw, bf, _ := strings.Cut(b, ".")
	aw, bw = strings.TrimLeft(aw, "0"), strings.TrimLeft(bw, "0")
	if len(aw) != len(bw) {
		return cmpInt(len(aw), len(bw))
	}
	if c := strings.Compare(aw, bw); c != 0 {
		return c
	}
	n := max(len(af), len(bf))
	af += strings.Repeat("0", n-len(af))
	bf += strings.Repeat("0", n-len(bf))
	return strings.Compare(af, bf)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
