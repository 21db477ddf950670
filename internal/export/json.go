package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// JSONWriter writes products as one JSON array, one product per element, streamed: each Write
// encodes one product and Close writes the closing bracket. Money is an object with a decimal
// string amount ("12.30") and a currency, never a float. Text is cleaned and descriptions are
// sanitized as in the CSV files; encoding/json escapes <, > and & in strings.
type JSONWriter struct {
	bw      *bufio.Writer
	buf     bytes.Buffer
	enc     *json.Encoder
	tags    []string
	opts    Options
	err     error
	started bool
	closed  bool
	ids     idSet
	prod    product
	out     JSONProduct
}

// JSONProduct is one element of the JSON export.
type JSONProduct struct {
	ID              int64         `json:"id"`
	Title           string        `json:"title"`
	URL             string        `json:"url,omitempty"`
	AffiliateURL    string        `json:"affiliate_url,omitempty"`
	DescriptionHTML string        `json:"description_html"`
	Images          []string      `json:"images"`
	Category        string        `json:"category,omitempty"`
	TopCategory     string        `json:"top_category,omitempty"`
	Vendor          string        `json:"vendor,omitempty"`
	ShopID          int64         `json:"shop_id,omitempty"`
	Status          string        `json:"status"`
	Published       bool          `json:"published"`
	Tags            []string      `json:"tags,omitempty"`
	Options         []JSONOption  `json:"options"`
	Variants        []JSONVariant `json:"variants"`
	WeightGrams     int           `json:"weight_grams,omitempty"`
	ShipTo          string        `json:"ship_to,omitempty"`
	Source          string        `json:"source,omitempty"`
	FetchedAt       *time.Time    `json:"fetched_at,omitempty"`
}

// JSONOption is a variant dimension and its values.
type JSONOption struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// JSONVariant is one SKU with its store prices and its supplier's cost.
type JSONVariant struct {
	SKU       string     `json:"sku"`
	SKUID     string     `json:"sku_id,omitempty"`
	SKUAttr   string     `json:"sku_attr,omitempty"`
	Values    []string   `json:"values"`
	Price     JSONMoney  `json:"price"`
	CompareAt *JSONMoney `json:"compare_at,omitempty"`
	Cost      JSONMoney  `json:"cost"`
	Stock     *int       `json:"stock"` // null when unknown
	Image     string     `json:"image,omitempty"`
	Barcode   string     `json:"barcode,omitempty"`
}

// JSONMoney is an amount as a decimal string in major units plus its currency.
type JSONMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// NewJSONWriter returns a writer of a JSON array of products to w. Invalid options make every
// Write fail.
func NewJSONWriter(w io.Writer, opts Options) *JSONWriter {
	jw := &JSONWriter{bw: bufio.NewWriter(w), opts: opts, err: opts.Validate(), ids: idSet{}}
	jw.prod.keepFormulas = true // no spreadsheet reads JSON: its text stays as it is
	jw.enc = json.NewEncoder(&jw.buf)
	for _, t := range opts.Tags {
		if t = plainText(t); t != "" {
			jw.tags = append(jw.tags, t)
		}
	}
	return jw
}

// Write appends one product to the array.
func (jw *JSONWriter) Write(p *catalog.Product) error {
	if jw.closed {
		return ErrClosed
	}
	if jw.err != nil {
		return jw.err
	}
	if jw.ids.has(uint64(p.ID)) {
		return productErr(p, ErrDuplicate, "")
	}
	d := &jw.prod
	if err := d.prepare(p, &jw.opts); err != nil {
		return err
	}
	jw.ids.add(uint64(p.ID))
	jw.fill(p)
	sep := ",\n"
	if !jw.started {
		jw.started, sep = true, "[\n"
	}
	jw.buf.Reset()
	if err := jw.enc.Encode(&jw.out); err != nil {
		return &ProductError{ProductID: p.ID, Err: err}
	}
	if _, jw.err = jw.bw.WriteString(sep); jw.err != nil {
		return jw.err
	}
	if _, jw.err = jw.bw.Write(bytes.TrimSuffix(jw.buf.Bytes(), []byte("\n"))); jw.err != nil {
		return jw.err
	}
	d.report(&jw.opts)
	return nil
}

// fill sets jw.out from jw.prod, reusing its slices.
func (jw *JSONWriter) fill(p *catalog.Product) {
	d := &jw.prod
	o := &jw.out
	*o = JSONProduct{
		ID:              p.ID,
		Title:           d.title,
		URL:             safeURL(p.URL),
		AffiliateURL:    safeURL(p.AffiliateURL),
		DescriptionHTML: d.description,
		Images:          append(o.Images[:0], d.images...),
		Category:        d.category,
		TopCategory:     d.topCategory,
		Vendor:          d.vendor,
		ShopID:          p.Shop.ID,
		Status:          jw.opts.status(),
		Published:       jw.opts.Published,
		Tags:            jw.tags,
		Options:         o.Options[:0],
		Variants:        o.Variants[:0],
		WeightGrams:     max(p.WeightGrams, 0),
		ShipTo:          cleanLine(p.ShipTo),
		Source:          cleanLine(string(p.Source)),
	}
	if !p.FetchedAt.IsZero() {
		t := p.FetchedAt.UTC()
		o.FetchedAt = &t
	}
	for _, opt := range d.options {
		o.Options = append(o.Options, JSONOption{Name: opt.name, Values: opt.values})
	}
	for i := range d.variants {
		v := &d.variants[i]
		currency := v.currency
		jv := JSONVariant{
			SKU:     v.sku,
			SKUID:   plainText(v.v.SKUID),
			SKUAttr: v.attr,
			Values:  v.values,
			Price:   JSONMoney{Amount: v.price, Currency: currency},
			Cost:    JSONMoney{Amount: v.cost, Currency: currency},
			Image:   v.image,
			Barcode: v.barcode,
		}
		if v.compareAt != "" {
			jv.CompareAt = &JSONMoney{Amount: v.compareAt, Currency: currency}
		}
		if v.stock >= 0 {
			stock := v.stock
			jv.Stock = &stock
		}
		o.Variants = append(o.Variants, jv)
	}
	if o.Images == nil {
		o.Images = []string{}
	}
	if o.Options == nil {
		o.Options = []JSONOption{}
	}
}

// Close ends the array and flushes.
func (jw *JSONWriter) Close() error {
	if jw.closed {
		return jw.err
	}
	jw.closed = true
	if jw.err != nil {
		return jw.err
	}
	end := "\n]\n"
	if !jw.started {
		end = "[]\n"
	}
	if _, jw.err = jw.bw.WriteString(end); jw.err != nil {
		return jw.err
	}
	jw.err = jw.bw.Flush()
	return jw.err
}
