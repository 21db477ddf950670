package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// export writes ps in format and returns the file; products the writer refuses are reported in
// refused by ID.
func export(t testing.TB, format string, opts Options, ps []*catalog.Product) (file []byte, refused map[int64]error) {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(format, &buf, opts)
	if err != nil {
		t.Fatalf("New(%q) error = %v", format, err)
	}
	refused = map[int64]error{}
	for _, p := range ps {
		if err := w.Write(p); err != nil {
			var pe *ProductError
			if !errors.As(err, &pe) {
				t.Fatalf("Write(%d) error = %v; want nil or a *ProductError", p.ID, err)
			}
			refused[p.ID] = err
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	return buf.Bytes(), refused
}

// readCSV parses a file as encoding/csv does.
func readCSV(t testing.TB, file []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(file))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v", err)
	}
	return recs
}

var goldenFiles = []struct{ format, file string }{
	{FormatShopify, "shopify.csv"},
	{FormatWooCommerce, "woocommerce.csv"},
	{FormatJSON, "products.json"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFiles {
		t.Run(g.format, func(t *testing.T) {
			got, refused := export(t, g.format, sampleOptions, sampleProducts())
			if len(refused) > 0 {
				t.Errorf("export(%s) refused %v; want every sample product written", g.format, refused)
			}
			path := filepath.Join("testdata", g.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range max(len(gl), len(wl)) {
					var gotLine, wantLine string
					if i < len(gl) {
						gotLine = gl[i]
					}
					if i < len(wl) {
						wantLine = wl[i]
					}
					if gotLine != wantLine {
						t.Fatalf("export(%s) differs from %s at line %d:\n got: %q\nwant: %q\n(run go test ./internal/export -update if the change is meant)", g.format, path, i+1, gotLine, wantLine)
					}
				}
			}
			if err := Validate(g.format, bytes.NewReader(got)); err != nil {
				t.Errorf("Validate(%s export) = %v; want nil", g.format, err)
			}
			if bytes.HasPrefix(got, []byte("\uFEFF")) {
				t.Errorf("export(%s) starts with a byte-order mark; want none", g.format)
			}
		})
	}
}

// TestNoFormulaCells re-reads both CSV files: no cell may start with a formula character, every
// hostile one-line text is there without the characters that made it a formula (no apostrophe
// a storefront would show), and the only apostrophe is WooCommerce's draft marker.
func TestNoFormulaCells(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce} {
		file, _ := export(t, format, sampleOptions, sampleProducts())
		recs := readCSV(t, file)
		seen := map[string]bool{}
		for i, rec := range recs {
			for j, c := range rec {
				if formulaStart(c) {
					t.Errorf("%s line %d column %d = %q; starts like a formula", format, i+1, j+1, c)
				}
				// sku_attr is kept as AliExpress wrote it, for supplier orders; no storefront shows it.
				if strings.HasPrefix(c, "'") && c != "'-1" && recs[0][j] != "Meta: aliexpress_sku_attr" {
					t.Errorf("%s line %d column %q = %q; want no apostrophe a store would show", format, i+1, recs[0][j], c)
				}
				seen[c] = true
			}
		}
		for _, want := range []string{`HYPERLINK("http://evil.example","x")`, "1 Phone Case", "SUM(A1) Phone Case", "SUM(A1)", "1", "1+1"} {
			if !seen[want] {
				t.Errorf("%s export has no cell %q; want the hostile text kept without its formula characters", format, want)
			}
		}
		for _, bad := range []string{"<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "<svg", "evil.example\"><"} {
			if bytes.Contains(bytes.ToLower(file), []byte(bad)) {
				t.Errorf("%s export contains %q; want descriptions sanitized", format, bad)
			}
		}
	}
}

// TestOneLineFieldsCarryNoMarkup: titles, vendors, types, categories, option names and values,
// tags and barcodes are printed by stores as they are (WooCommerce prints product names
// unescaped), so no '<' from a product's markup may reach them, in any format.
func TestOneLineFieldsCarryNoMarkup(t *testing.T) {
	columns := map[string][]string{
		FormatShopify: {"Title", "Vendor", "Type", "Tags", "Option1 name", "Option1 value", "Barcode", "SKU"},
		FormatWooCommerce: {"Name", "Categories", "Tags", "Attribute 1 name", "Attribute 1 value(s)", "SKU",
			"Meta: aliexpress_sku_attr"},
	}
	for format, cols := range columns {
		file, refused := export(t, format, sampleOptions, []*catalog.Product{markup()})
		if len(refused) > 0 {
			t.Fatalf("export(%s) refused the markup product: %v", format, refused)
		}
		recs := readCSV(t, file)
		for _, col := range cols {
			j := slices.Index(recs[0], col)
			if j < 0 {
				t.Fatalf("%s header has no %q", format, col)
			}
			for i, rec := range recs[1:] {
				if strings.Contains(rec[j], "<") || strings.Contains(rec[j], "alert") {
					t.Errorf("%s row %d %s = %q; want the text without markup", format, i+2, col, rec[j])
				}
			}
		}
		wants := []string{"Silicone Phone Case & Strap", "Black", "Red", "Color"}
		if format == FormatShopify {
			wants = append(wants, "Best Cases Store") // escaped markup is markup once decoded: it goes too
		}
		for _, want := range wants {
			if !bytes.Contains(file, []byte(want)) {
				t.Errorf("%s export lacks %q; want the text of the markup kept", format, want)
			}
		}
	}
	file, _ := export(t, FormatJSON, sampleOptions, []*catalog.Product{markup()})
	var ps []JSONProduct
	if err := json.Unmarshal(file, &ps); err != nil || len(ps) != 1 {
		t.Fatalf("JSON export: %v", err)
	}
	p := ps[0]
	texts := []string{p.Title, p.Vendor, p.Category, p.TopCategory, p.Options[0].Name}
	texts = append(texts, p.Options[0].Values...)
	texts = append(texts, p.Tags...)
	for _, s := range texts {
		if strings.Contains(s, "<") {
			t.Errorf("JSON export text %q carries markup", s)
		}
	}
}

// TestDescriptionImagesOnlyFromAllowedHosts: a store shows the description to every visitor, who
// would load its images from wherever the seller pointed them.
func TestDescriptionImagesOnlyFromAllowedHosts(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		file, _ := export(t, format, sampleOptions, []*catalog.Product{markup()})
		if bytes.Contains(file, []byte("127.0.0.1")) || bytes.Contains(file, []byte("tracker.example")) {
			t.Errorf("%s export keeps a description image from outside AliExpress", format)
		}
		if !bytes.Contains(file, []byte("https://ae01.alicdn.com/kf/case.jpg")) {
			t.Errorf("%s export lost the AliExpress description image (upgraded to https)", format)
		}
		opts := sampleOptions
		opts.Sanitizer = sanitize.Options{ImageAllowed: func(u *url.URL) bool { return u.Host == "127.0.0.1:8080" }}
		file, _ = export(t, format, opts, []*catalog.Product{markup()})
		if !bytes.Contains(file, []byte("http://127.0.0.1:8080/api/export")) || bytes.Contains(file, []byte("alicdn.com/kf/case.jpg")) {
			t.Errorf("%s export does not follow Options.Sanitizer's image policy", format)
		}
	}
}

// shopifyProduct is what a Shopify import makes of one handle's rows.
type shopifyProduct struct {
	title, vendor, typ, status string
	options                    []string
	variants                   [][]string // option values, SKU, price, compare-at, cost, quantity
	images                     []string
}

func unneutralize(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}

func readShopify(t *testing.T, file []byte) (map[string]*shopifyProduct, []string) {
	recs := readCSV(t, file)
	out := map[string]*shopifyProduct{}
	var order []string
	for _, r := range recs[1:] {
		h := r[shHandle]
		p := out[h]
		if p == nil {
			p = &shopifyProduct{title: unneutralize(r[shTitle]), vendor: unneutralize(r[shVendor]), typ: unneutralize(r[shType]), status: r[shStatus]}
			for i := range 3 {
				if n := r[shOption1Name+3*i]; n != "" {
					p.options = append(p.options, unneutralize(n))
				}
			}
			out[h] = p
			order = append(order, h)
		}
		if r[shImage] != "" {
			p.images = append(p.images, r[shImage]+"@"+r[shImagePosition])
		}
		if r[shSKU] != "" {
			var v []string
			for i := range p.options {
				v = append(v, unneutralize(r[shOption1Name+3*i+1]))
			}
			v = append(v, r[shSKU], r[shPrice], r[shCompareAt], r[shCost], r[shQuantity])
			p.variants = append(p.variants, v)
		}
	}
	return out, order
}

func TestShopifyRoundTrip(t *testing.T) {
	file, _ := export(t, FormatShopify, sampleOptions, sampleProducts())
	got, order := readShopify(t, file)
	if len(got) != len(sampleProducts()) {
		t.Fatalf("Shopify export has %d handles; want %d", len(got), len(sampleProducts()))
	}
	e := got["wireless-earbuds-bluetooth-5-3-noise-cancelling"]
	if e == nil {
		t.Fatalf("no handle wireless-earbuds-bluetooth-5-3-noise-cancelling in %v", order)
	}
	want := shopifyProduct{
		title: "Wireless Earbuds Bluetooth 5.3 Noise Cancelling", vendor: "Soundcore Official Store", typ: "Earphones & Headphones", status: "draft",
		options: []string{"Color", "Ships From"},
		// 12.73 × 2.5 = 31.825 → 31.83 → 31.99; × 1.4 = 44.786 → 44.79 → 44.99
		// 14.99 × 2.5 = 37.475 → 37.48 → 37.99; × 1.4 = 53.186 → 53.19 → 53.99
		variants: [][]string{
			{"Black", "China", "AE-1005006123456789-12000037", "31.99", "44.99", "12.73", "532"},
			{"Black", "United States", "AE-1005006123456789-12000038", "37.99", "53.99", "14.99", "0"},
			{"White", "China", "AE-1005006123456789-12000039", "31.99", "44.99", "12.73", ""},
			{"White", "United States", "AE-1005006123456789-12000040", "37.99", "53.99", "14.99", "17"},
		},
		images: []string{"https://ae01.alicdn.com/kf/earbuds-1.jpg@1", "https://ae01.alicdn.com/kf/earbuds-2.jpg@2", "https://ae01.alicdn.com/kf/earbuds-3.jpg@3"},
	}
	if !equalShopify(*e, want) {
		t.Errorf("earbuds read back = %+v; want %+v", *e, want)
	}

	h := got["hyperlink-http-evil-example-x"]
	if h == nil || h.title != `HYPERLINK("http://evil.example","x")` || h.vendor != "SUM(A1)" || h.typ != "1+1" || len(h.variants) != 3 ||
		h.variants[0][0] != "1" || h.variants[1][0] != "SUM(A1)" || h.variants[2][0] != "1+1" {
		t.Errorf("hostile product read back = %+v; want its text without the leading formula characters", h)
	}
	for handle, wantTitle := range map[string]string{
		"cute-cat-mug":                          "Cute Cat 🐱 Mug ☕",
		"cute-cat-mug-2":                        "Cute Cat 🐱 Mug ☕",
		"smart-watch-gpj-exe":                   "Smart Watch \u202Egpj.exe",
		"case-quoted-with-commas-and-a-newline": `Case "Quoted", with commas, and a newline`,
		"leading-tab-and-crlf":                  "Leading tab and CRLF",
		"aliexpress-1005006000000010":           "AliExpress 1005006000000010", // empty title
		"aliexpress-1005006000000011":           "★☆★",
		"cafe-creme-brulee-set":                 "Café Crème Brûlée Set",
	} {
		p := got[handle]
		if p == nil || p.title != wantTitle {
			t.Errorf("handle %q = %+v; want title %q", handle, p, wantTitle)
			continue
		}
		if len(p.options) != 1 || p.options[0] != "Title" || len(p.variants) != 1 || p.variants[0][0] != "Default Title" {
			t.Errorf("handle %q options = %v, variants %v; want Title / Default Title", handle, p.options, p.variants)
		}
	}
	for _, h := range order {
		if len(h) > maxHandle {
			t.Errorf("handle %q is %d characters; want at most %d", h, len(h), maxHandle)
		}
		if strings.HasPrefix(h, "long-title") && got[h].title != strings.Repeat("Long Title ", 91)[:1000] {
			t.Errorf("long title read back = %d characters; want the 1000 kept", len(got[h].title))
		}
	}
	if y := got["japanese-tea-cup"]; y == nil || y.variants[0][2] != "3799" || y.variants[0][3] != "5399" || y.variants[0][4] != "1480" {
		// ¥1480 × 2.5 = 3700 → 3799; 3799 × 1.4 = 5318.6 → 5319 → 5399
		t.Errorf("yen product = %+v; want price 3799, compare-at 5399, cost 1480 with no decimals", y)
	}
}

func equalShopify(a, b shopifyProduct) bool {
	if a.title != b.title || a.vendor != b.vendor || a.typ != b.typ || a.status != b.status ||
		strings.Join(a.options, "|") != strings.Join(b.options, "|") || strings.Join(a.images, "|") != strings.Join(b.images, "|") ||
		len(a.variants) != len(b.variants) {
		return false
	}
	for i := range a.variants {
		if strings.Join(a.variants[i], "|") != strings.Join(b.variants[i], "|") {
			return false
		}
	}
	return true
}

func TestWooRoundTrip(t *testing.T) {
	file, _ := export(t, FormatWooCommerce, sampleOptions, sampleProducts())
	recs := readCSV(t, file)
	bySKU := map[string][]string{}
	var skus []string
	for _, r := range recs[1:] {
		bySKU[r[wcSKU]] = r
		skus = append(skus, r[wcSKU])
	}
	parent := bySKU["AE-1005006123456789"]
	if parent == nil || parent[wcType] != "variable" || parent[wcAttr1Name] != "Color" || parent[wcAttr1Name+1] != "Black, White" ||
		parent[wcAttr1Name+4] != "Ships From" || parent[wcAttr1Name+5] != "China, United States" ||
		parent[wcCategories] != "Consumer Electronics > Earphones & Headphones" || parent[wcPublished] != "'-1" ||
		!strings.HasPrefix(parent[wcImages], "https://ae01.alicdn.com/kf/earbuds-1.jpg, ") || parent[wcWeight] != "0.397" {
		t.Errorf("earbuds parent = %q; want a variable row with both attributes, categories, draft, gallery, 0.397 lbs", parent)
	}
	v := bySKU["AE-1005006123456789-12000038"]
	if v == nil || v[wcType] != "variation" || v[wcParent] != "AE-1005006123456789" || v[wcAttr1Name+1] != "Black" ||
		v[wcAttr1Name+5] != "United States" || v[wcRegularPrice] != "53.99" || v[wcSalePrice] != "37.99" ||
		v[wcInStock] != "0" || v[wcStock] != "0" || v[wcMetaSKUAttr] != "14:193;200007763:201336106" || v[wcMetaSupplierCost] != "14.99" ||
		v[wcMetaProductID] != "1005006123456789" || v[wcPosition] != "2" {
		t.Errorf("earbuds variation = %q; want Parent, one value per attribute, regular/sale price, stock and the supplier meta", v)
	}
	if i, j := indexOf(skus, "AE-1005006123456789"), indexOf(skus, "AE-1005006123456789-12000037"); i < 0 || i > j {
		t.Errorf("parent at %d, first variation at %d; want the parent first", i, j)
	}
	s := bySKU["AE-1005006000000008-1"]
	if s == nil || s[wcType] != "simple" || s[wcName] != `Case "Quoted", with commas, and a newline` || s[wcRegularPrice] != "6.99" || s[wcSalePrice] != "4.99" || s[wcStock] != "" || s[wcInStock] != "1" {
		t.Errorf("simple product = %q; want a simple row with its prices and unknown stock", s)
	}
	h := bySKU["AE-1005006000000666"]
	if h == nil || h[wcAttr1Name] != "1" || wooSplit(h[wcAttr1Name+1])[1] != "SUM(A1)" || h[wcName] != `HYPERLINK("http://evil.example","x")` {
		t.Errorf("hostile parent = %q; want its texts without their formula characters and its values listed", h)
	}
}

// TestFormulaStripsAreReported: every one-line text written without its formula characters is
// reported through Options.Changed, once, and only for products written.
func TestFormulaStripsAreReported(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce} {
		var got []string
		opts := sampleOptions
		opts.Changed = func(c Change) { got = append(got, c.String()) }
		export(t, format, opts, []*catalog.Product{hostile(), single(1005006000000001, "+1 Phone Case"), earbuds()})
		want := []string{
			`product 1005006000000666: Title "=HYPERLINK(\"http://evil.example\",\"x\")" written as "HYPERLINK(\"http://evil.example\",\"x\")"`,
			`product 1005006000000666: Vendor "@SUM(A1)" written as "SUM(A1)"`,
			`product 1005006000000666: Category "-1+1" written as "1+1"`,
			`product 1005006000000666: Category "@SUM(A1)" written as "SUM(A1)"`,
			`product 1005006000000666: Option name "+1" written as "1"`,
			`product 1005006000000666: Option value "-1" written as "1"`,
			`product 1005006000000666: Option value "@SUM(A1)" written as "SUM(A1)"`,
			`product 1005006000000666: Option value "=1+1" written as "1+1"`,
			`product 1005006000000666: Barcode "+123" written as "123"`,
			`product 1005006000000001: Title "+1 Phone Case" written as "1 Phone Case"`,
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s changes =\n%s\nwant\n%s", format, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	var got []Change
	opts := sampleOptions
	opts.Changed = func(c Change) { got = append(got, c) }
	export(t, FormatJSON, opts, []*catalog.Product{hostile()})
	if len(got) != 0 {
		t.Errorf("JSON changes = %v; want none (JSON keeps the text as it is)", got)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestJSONRoundTrip(t *testing.T) {
	file, _ := export(t, FormatJSON, sampleOptions, sampleProducts())
	var got []JSONProduct
	if err := json.Unmarshal(file, &got); err != nil {
		t.Fatalf("json.Unmarshal(export) = %v", err)
	}
	if len(got) != len(sampleProducts()) {
		t.Fatalf("JSON export has %d products; want %d", len(got), len(sampleProducts()))
	}
	e := got[0]
	if e.ID != 1005006123456789 || len(e.Variants) != 4 || e.Variants[0].Price != (JSONMoney{"31.99", "USD"}) ||
		*e.Variants[0].CompareAt != (JSONMoney{"44.99", "USD"}) || e.Variants[0].Cost != (JSONMoney{"12.73", "USD"}) ||
		*e.Variants[0].Stock != 532 || e.Variants[2].Stock != nil || e.Options[1].Name != "Ships From" || e.FetchedAt == nil {
		t.Errorf("earbuds in JSON = %+v; want its variants, money as decimal strings, null for unknown stock", e)
	}
	if got[1].Title != `=HYPERLINK("http://evil.example","x")` {
		t.Errorf("hostile title in JSON = %q; want it as is (JSON is not a spreadsheet)", got[1].Title)
	}
	if strings.Contains(string(file), "<script") || strings.Contains(string(file), "javascript:") {
		t.Errorf("JSON export carries script; want descriptions sanitized")
	}
	empty, _ := export(t, FormatJSON, Options{}, nil)
	if string(empty) != "[]\n" {
		t.Errorf("empty JSON export = %q; want %q", empty, "[]\n")
	}
}

func TestEmptyCSVHasHeader(t *testing.T) {
	for format, header := range map[string][]string{FormatShopify: ShopifyHeader, FormatWooCommerce: WooHeader} {
		file, _ := export(t, format, Options{}, nil)
		recs := readCSV(t, file)
		if len(recs) != 1 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
			t.Errorf("empty %s export = %q; want the header alone", format, file)
		}
		if err := Validate(format, bytes.NewReader(file)); err != nil {
			t.Errorf("Validate(empty %s export) = %v; want nil", format, err)
		}
	}
}

func TestWriterStaysUsable(t *testing.T) {
	var buf bytes.Buffer
	w := NewShopifyWriter(&buf, Options{})
	bad := earbuds()
	bad.Options = append(bad.Options, catalog.Option{Name: "A"}, catalog.Option{Name: "B"})
	if err := w.Write(bad); !errors.Is(err, ErrTooManyOptions) {
		t.Errorf("Write(5 options) = %v; want ErrTooManyOptions", err)
	}
	if err := w.Write(earbuds()); err != nil {
		t.Errorf("Write(earbuds) after a refused product = %v; want nil", err)
	}
	if err := w.Write(earbuds()); !errors.Is(err, ErrDuplicate) {
		t.Errorf("Write(earbuds) twice = %v; want ErrDuplicate", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(single(1, "x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v; want ErrClosed", err)
	}
	if err := ValidateShopify(&buf); err != nil {
		t.Errorf("ValidateShopify = %v; want nil", err)
	}
}

func TestWriteFailsOnBrokenWriter(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		w, _ := New(format, failingWriter{}, Options{})
		for i := range 200 {
			if err := w.Write(single(int64(i+1), strings.Repeat("x", 100))); err != nil {
				break
			}
		}
		if err := w.Close(); err == nil {
			t.Errorf("%s: Close on a failing writer = nil; want the write error", format)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestDescriptionImagesKeepASource: a description's AliExpress-hosted images are exported, and an
// image whose source was dropped (another host, a script URL, none at all) goes whole, so that no
// store shows an empty 750-pixel box.
func TestDescriptionImagesKeepASource(t *testing.T) {
	p := earbuds()
	p.DescriptionHTML = `<p>Specs</p><img width="750" src="https://ae01.alicdn.com/kf/spec.jpg">` +
		`<img width="750"><img width="750" src="https://tracker.example/pixel.gif"><img width="750" src="javascript:alert(1)">` +
		`<img width="750" src=""><img width="750" src="//ae01.alicdn.com/kf/size.jpg">`
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		file, _ := export(t, format, sampleOptions, []*catalog.Product{p})
		var desc string
		if format == FormatJSON {
			var got []JSONProduct
			if err := json.Unmarshal(file, &got); err != nil {
				t.Fatal(err)
			}
			desc = got[0].DescriptionHTML
		} else {
			recs := readCSV(t, file)
			col := slices.Index(recs[0], "Description")
			desc = recs[1][col]
		}
		imgs := regexp.MustCompile(`<img[^>]*>`).FindAllString(desc, -1)
		want := []string{`<img width="750" src="https://ae01.alicdn.com/kf/spec.jpg">`, `<img width="750" src="https://ae01.alicdn.com/kf/size.jpg">`}
		if !slices.Equal(imgs, want) {
			t.Errorf("%s description images = %q; want the AliExpress ones only, each with its source: %q", format, imgs, want)
		}
	}
}
