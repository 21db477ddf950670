package export

import (
	"errors"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func TestHeaders(t *testing.T) {
	if len(ShopifyHeader) != 57 {
		t.Errorf("len(ShopifyHeader) = %d; want 57", len(ShopifyHeader))
	}
	if len(ShopifyHeader) != shColumns {
		t.Errorf("len(ShopifyHeader) = %d; want shColumns = %d", len(ShopifyHeader), shColumns)
	}
	for col, name := range map[int]string{
		shTitle: "Title", shHandle: "URL handle", shSKU: "SKU", shOption1Name: "Option1 name", shOption1Name + 7: "Option3 value",
		shPrice: "Price", shCompareAt: "Compare-at price", shCost: "Cost per item", shQuantity: "Inventory quantity",
		shContinueSelling: "Continue selling when out of stock", shWeight: "Weight value (grams)", shImage: "Product image URL",
		shImagePosition: "Image position", shVariantImage: "Variant image URL", shGiftCard: "Gift card", shSEODescription: "SEO description",
	} {
		if ShopifyHeader[col] != name {
			t.Errorf("ShopifyHeader[%d] = %q; want %q", col, ShopifyHeader[col], name)
		}
	}
	if len(WooHeader) != wcColumns {
		t.Errorf("len(WooHeader) = %d; want %d", len(WooHeader), wcColumns)
	}
	for col, name := range map[int]string{
		wcType: "Type", wcPublished: "Published", wcInStock: "In stock?", wcWeight: "Weight (lbs)", wcSalePrice: "Sale price",
		wcRegularPrice: "Regular price", wcImages: "Images", wcParent: "Parent", wcPosition: "Position", wcAttr1Name: "Attribute 1 name",
		wcAttr1Name + 11: "Attribute 3 global", wcMetaProductID: "Meta: aliexpress_product_id", wcMetaSKUAttr: "Meta: aliexpress_sku_attr",
		wcMetaSupplierCost: "Meta: supplier_cost",
	} {
		if WooHeader[col] != name {
			t.Errorf("WooHeader[%d] = %q; want %q", col, WooHeader[col], name)
		}
	}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		title string
		want  string
	}{
		{"Wireless Earbuds Bluetooth 5.3", "wireless-earbuds-bluetooth-5-3"},
		{"  --Hello,   World!!  ", "hello-world"},
		{"Café Crème Brûlée", "cafe-creme-brulee"},
		{"Straße Æsir Œuvre", "strasse-aesir-oeuvre"},
		{"手机壳 Phone Case", "phone-case"},
		{"手机壳", "aliexpress-42"},
		{"", "aliexpress-42"},
		{"=HYPERLINK(\"x\")", "hyperlink-x"},
		{"a\u202Eb", "a-b"},
		{strings.Repeat("ab ", 200), strings.TrimSuffix(strings.Repeat("ab-", 85), "-")},
		{strings.Repeat("x", 300), strings.Repeat("x", 255)},
	}
	for _, tt := range tests {
		if got := Handle(tt.title, 42); got != tt.want {
			t.Errorf("Handle(%q, 42) = %q; want %q", tt.title, got, tt.want)
		}
	}
}

func TestHandlesUnique(t *testing.T) {
	h := newHandles()
	long := strings.Repeat("x", 255)
	var got []string
	for _, base := range []string{"mug", "mug", "mug-2", "mug", long, long} {
		got = append(got, h.assign(base))
	}
	want := []string{"mug", "mug-2", "mug-2-2", "mug-3", long, strings.Repeat("x", 253) + "-2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("assign #%d = %q; want %q", i+1, got[i], want[i])
		}
	}
}

func TestCleanLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"  two  spaces\t\tand tabs\r\n", "two spaces and tabs"},
		{"nul\x00byte", "nul byte"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"rtl \u202Eexe", "rtl \u202Eexe"},
		{"emoji 🐱", "emoji 🐱"},
		{"c1\u0085control", "c1 control"},
	}
	for _, tt := range tests {
		if got := cleanLine(tt.in); got != tt.want {
			t.Errorf("cleanLine(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "'\tx"}, {"\rx", "'\rx"},
		{"1-1", "1-1"}, {"'=1", "'=1"}, {"", ""}, {" =1", " =1"}, {"12.99", "12.99"},
	}
	for _, tt := range tests {
		if got := neutralize(tt.in); got != tt.want {
			t.Errorf("neutralize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://ae01.alicdn.com/kf/a.jpg", "https://ae01.alicdn.com/kf/a.jpg"},
		{"//ae01.alicdn.com/kf/a.jpg", "https://ae01.alicdn.com/kf/a.jpg"},
		{" http://x.example/a.png ", "http://x.example/a.png"},
		{"javascript:alert(1)", ""},
		{"data:image/png;base64,AAAA", ""},
		{"/relative.jpg", ""},
		{"https://user:pw@x.example/", ""},
		{"https://x.example/a b.jpg", ""},
		{"https:///nohost", ""},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPoundsText(t *testing.T) {
	tests := []struct {
		grams int
		want  string
	}{{0, ""}, {180, "0.397"}, {454, "1.001"}, {1000, "2.205"}, {453592, "999.999"}, {453593, "1000.001"}, {1, "0.002"}}
	for _, tt := range tests {
		if got := poundsText(tt.grams); got != tt.want {
			t.Errorf("poundsText(%d) = %q; want %q", tt.grams, got, tt.want)
		}
	}
}

func TestWooListEscapes(t *testing.T) {
	got := wooList([]string{"2 pcs, red", "blue\\", "", " green "})
	if want := `2 pcs\, red, blue, green`; got != want {
		t.Errorf("wooList = %q; want %q", got, want)
	}
	if back := wooSplit(got); strings.Join(back, "|") != "2 pcs, red|blue|green" {
		t.Errorf("wooSplit(%q) = %q; want the three values back", got, back)
	}
}

func TestNew(t *testing.T) {
	if _, err := New("csv", nil, Options{}); err == nil || !strings.Contains(err.Error(), `"csv"`) {
		t.Errorf(`New("csv") error = %v; want one naming "csv"`, err)
	}
	if _, err := New(FormatShopify, nil, Options{Status: "live"}); err == nil || !strings.Contains(err.Error(), `"live"`) {
		t.Errorf(`New(status "live") error = %v; want one naming "live"`, err)
	}
	if w := NewWooWriter(nil, Options{Status: "live"}); w.Write(earbuds()) == nil {
		t.Errorf(`NewWooWriter(status "live").Write = nil; want the options error`)
	}
}

func TestProductErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *catalog.Product)
		opts   Options
		want   error
		says   string
	}{
		{"four options", func(p *catalog.Product) {
			p.Options = append(p.Options, catalog.Option{Name: "A"}, catalog.Option{Name: "B"})
			for i := range p.Variants {
				p.Variants[i].Values = append(p.Variants[i].Values, "a", "b")
			}
		}, Options{}, ErrTooManyOptions, "4 options"},
		{"no variants", func(p *catalog.Product) { p.Variants = nil }, Options{}, ErrInvalidProduct, "no variants"},
		{"values missing", func(p *catalog.Product) { p.Variants[1].Values = p.Variants[1].Values[:1] }, Options{}, ErrInvalidProduct, "1 option values for 2 options"},
		{"empty value", func(p *catalog.Product) { p.Variants[1].Values[1] = " \t " }, Options{}, ErrInvalidProduct, `no value for "Ships From"`},
		{"same values", func(p *catalog.Product) { p.Variants[1].Values = []string{"black", "CHINA"} }, Options{}, ErrInvalidProduct, "same options"},
		{"same option names", func(p *catalog.Product) { p.Options[1].Name = "color" }, Options{}, ErrInvalidProduct, `option "color" given twice`},
		{"no option name", func(p *catalog.Product) { p.Options[1].Name = "\n" }, Options{}, ErrInvalidProduct, "option 2 has no name"},
		{"same SKU", func(p *catalog.Product) { p.Variants[1].SKUID = p.Variants[0].SKUID }, Options{}, ErrInvalidProduct, "two variants with SKU"},
		{"variants without options", func(p *catalog.Product) {
			p.Options = nil
			for i := range p.Variants {
				p.Variants[i].Values = nil
			}
		}, Options{}, ErrInvalidProduct, "no options"},
		{"default title marker", func(p *catalog.Product) {
			p.Options = []catalog.Option{{Name: "Title", Values: []string{"Default Title", "Other"}}}
			p.Variants = p.Variants[:2]
			p.Variants[0].Values, p.Variants[1].Values = []string{"Default Title"}, []string{"Other"}
		}, Options{}, ErrInvalidProduct, "Default Title"},
		{"price fails", func(p *catalog.Product) {}, Options{Price: func(*catalog.Product, *catalog.Variant) (catalog.Money, catalog.Money, error) {
			return catalog.Money{}, catalog.Money{}, errors.New("no rate for BRL")
		}}, ErrPrice, "no rate for BRL"},
		{"two currencies", func(p *catalog.Product) {}, Options{Price: func(_ *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
			return catalog.Money{Amount: 100, Currency: "EUR"}, catalog.Money{}, nil
		}}, ErrPrice, "EUR and USD"},
		{"negative price", func(p *catalog.Product) { p.Variants[2].Price.Amount = -5 }, Options{}, ErrPrice, "negative"},
	}
	for _, tt := range tests {
		for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
			p := earbuds()
			tt.change(p)
			var sb strings.Builder
			w, _ := New(format, &sb, tt.opts)
			err := w.Write(p)
			var pe *ProductError
			if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.ProductID != p.ID || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%s: %s Write = %v; want a ProductError for %d wrapping %v and saying %q", tt.name, format, err, p.ID, tt.want, tt.says)
			}
			w.Close()
			if strings.Contains(sb.String(), "AE-1005006123456789") {
				t.Errorf("%s: %s wrote part of a refused product", tt.name, format)
			}
		}
	}
}

func TestCompareAtNotAbovePriceIsDropped(t *testing.T) {
	opts := Options{Price: func(_ *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
		return usd(1000), usd(1000), nil
	}}
	file, _ := export(t, FormatShopify, opts, []*catalog.Product{single(7, "Mug")})
	recs := readCSV(t, file)
	if recs[1][shPrice] != "10.00" || recs[1][shCompareAt] != "" {
		t.Errorf("price, compare-at = %q, %q; want 10.00 and none", recs[1][shPrice], recs[1][shCompareAt])
	}
}

func TestStatusAndPublished(t *testing.T) {
	tests := []struct {
		opts          Options
		shopify, woo  string
		shopifyStatus string
	}{
		{Options{}, "FALSE", "'-1", "draft"},
		{Options{Status: StatusActive, Published: true}, "TRUE", "1", "active"},
		{Options{Status: StatusActive}, "FALSE", "0", "active"},
		{Options{Status: StatusArchived}, "FALSE", "0", "archived"},
	}
	for _, tt := range tests {
		s := readCSV(t, must(export(t, FormatShopify, tt.opts, []*catalog.Product{single(7, "Mug")})))
		w := readCSV(t, must(export(t, FormatWooCommerce, tt.opts, []*catalog.Product{single(7, "Mug")})))
		if s[1][shPublished] != tt.shopify || s[1][shStatus] != tt.shopifyStatus || w[1][wcPublished] != tt.woo {
			t.Errorf("Options%+v: Shopify %q/%q, Woo %q; want %q/%q, %q", tt.opts, s[1][shPublished], s[1][shStatus], w[1][wcPublished], tt.shopify, tt.shopifyStatus, tt.woo)
		}
	}
}

func must(b []byte, _ map[int64]error) []byte { return b }

func TestProductCategoryOption(t *testing.T) {
	opts := Options{ProductCategory: func(p *catalog.Product) string { return "Home & Garden > Kitchen & Dining" }}
	recs := readCSV(t, must(export(t, FormatShopify, opts, []*catalog.Product{single(7, "Mug")})))
	if recs[1][shCategory] != "Home & Garden > Kitchen & Dining" || recs[1][shType] != "Phone Cases" {
		t.Errorf("Product category, Type = %q, %q; want the taxonomy path and the AliExpress category", recs[1][shCategory], recs[1][shType])
	}
}
