package export

import (
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
)

func usd(minor int64) catalog.Money { return catalog.Money{Amount: minor, Currency: "USD"} }

// rulePrice prices with a pricing rule in the variant's currency, the way the web layer will.
func rulePrice(rule string) PriceFunc {
	return func(p *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
		r, err := pricing.ParseRule(rule, v.Price.Currency)
		if err != nil {
			return catalog.Money{}, catalog.Money{}, err
		}
		return r.Apply(v.Price)
	}
}

var fetched = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// earbuds is an ordinary product: two options, four variants, a gallery.
func earbuds() *catalog.Product {
	return &catalog.Product{
		ID:              1005006123456789,
		Title:           "Wireless Earbuds Bluetooth 5.3 Noise Cancelling",
		URL:             "https://www.aliexpress.com/item/1005006123456789.html",
		Images:          []string{"https://ae01.alicdn.com/kf/earbuds-1.jpg", "//ae01.alicdn.com/kf/earbuds-2.jpg", "https://ae01.alicdn.com/kf/earbuds-3.jpg"},
		DescriptionHTML: `<div class="detail"><p style="color:red">Great <b>sound</b> &amp; battery.</p><img src="//ae01.alicdn.com/kf/desc.jpg" alt="Case"></div>`,
		Category:        catalog.Category{ID: 63705, Name: "Earphones & Headphones", ParentID: 44},
		TopCategory:     catalog.Category{ID: 44, Name: "Consumer Electronics"},
		Shop:            catalog.Shop{ID: 912345, Name: "Soundcore Official Store"},
		Price:           usd(1273),
		Options: []catalog.Option{
			{Name: "Color", Values: []string{"Black", "White"}},
			{Name: "Ships From", Values: []string{"China", "United States"}},
		},
		Variants: []catalog.Variant{
			{SKUID: "12000037", Attr: "14:193;200007763:201336100", Values: []string{"Black", "China"}, Price: usd(1273), Stock: 532, Image: "https://ae01.alicdn.com/kf/black.jpg"},
			{SKUID: "12000038", Attr: "14:193;200007763:201336106", Values: []string{"Black", "United States"}, Price: usd(1499), Stock: 0, Image: "https://ae01.alicdn.com/kf/black.jpg"},
			{SKUID: "12000039", Attr: "14:29;200007763:201336100", Values: []string{"White", "China"}, Price: usd(1273), Stock: -1, Image: "https://ae01.alicdn.com/kf/white.jpg"},
			{SKUID: "12000040", Attr: "14:29;200007763:201336106", Values: []string{"White", "United States"}, Price: usd(1499), Stock: 17},
		},
		ShipTo:      "US",
		WeightGrams: 180,
		Source:      catalog.SourceDS,
		FetchedAt:   fetched,
	}
}

// single has no options and one variant of unknown stock.
func single(id int64, title string) *catalog.Product {
	return &catalog.Product{
		ID:       id,
		Title:    title,
		Images:   []string{"https://ae01.alicdn.com/kf/single.jpg"},
		Category: catalog.Category{ID: 1, Name: "Phone Cases"},
		Shop:     catalog.Shop{Name: "Case Shop"},
		Price:    usd(199),
		Variants: []catalog.Variant{{SKUID: "1", Price: usd(199), Stock: -1}},
		Source:   catalog.SourceAffiliate,
	}
}

// hostile carries every kind of text a spreadsheet or a browser could be tricked by.
func hostile() *catalog.Product {
	return &catalog.Product{
		ID:    1005006000000666,
		Title: `=HYPERLINK("http://evil.example","x")`,
		DescriptionHTML: `<p onclick="alert(1)" onmouseover=alert(2)>Hi</p><script>alert(3)</script>` +
			`<a href="javascript:alert(4)">x</a><a href=" JaVa&#x09;ScRiPt:alert(5)">y</a>` +
			`<iframe src="https://evil.example"></iframe><style>body{display:none}</style>` +
			`<img src=x onerror=alert(6)><svg><animate attributeName=href values=javascript:alert(7) /></svg>` +
			`<a href="https://example.com/ok" target="_blank">fine</a>`,
		Images:      []string{"javascript:alert(8)", "https://ae01.alicdn.com/kf/hostile.jpg"},
		Category:    catalog.Category{Name: "-1+1"},
		TopCategory: catalog.Category{Name: "@SUM(A1)"},
		Shop:        catalog.Shop{Name: "@SUM(A1)"},
		Options:     []catalog.Option{{Name: "+1", Values: []string{"-1", "@SUM(A1)", "=1+1"}}},
		Variants: []catalog.Variant{
			{SKUID: "-1", Attr: "=cmd|' /C calc'!A0", Values: []string{"-1"}, Price: usd(100), Stock: 1},
			{SKUID: "=2", Values: []string{"@SUM(A1)"}, Price: usd(200), Stock: 2, Barcode: "+123"},
			{SKUID: "3", Values: []string{"=1+1"}, Price: usd(300), Stock: 3},
		},
		WeightGrams: 1000,
	}
}

// markup carries HTML in every one-line field: WooCommerce prints product names unescaped, so
// markup there would run on the storefront. Its description's images come from a host that is
// not AliExpress's, the way a seller could point every visitor's browser at any URL.
func markup() *catalog.Product {
	return &catalog.Product{
		ID:    1005006000000777,
		Title: `<script>alert('title')</script>Silicone <b>Phone</b> Case &amp; Strap <img src=x onerror=alert(1)>`,
		DescriptionHTML: `<p>Soft case.</p><img src="http://127.0.0.1:8080/api/export?format=json&amp;ids=1005006000000001">` +
			`<img src="https://tracker.example/pixel.gif"><img src="http://ae01.alicdn.com/kf/case.jpg" alt="Case">`,
		Images:      []string{"https://ae01.alicdn.com/kf/case-1.jpg"},
		Category:    catalog.Category{Name: `Cases <img src=x onerror=alert('cat')>`},
		TopCategory: catalog.Category{Name: `<script>alert('top')</script>Phones &amp; Accessories`},
		Shop:        catalog.Shop{Name: `<img src=x onerror=alert('shop')>Best &lt;b&gt;Cases&lt;/b&gt; Store`},
		Options:     []catalog.Option{{Name: `<b>Color</b>`, Values: []string{`<script>alert('v')</script>Black`, `Red <img src=x onerror=alert(2)>`}}},
		Variants: []catalog.Variant{
			{SKUID: "12000001", Values: []string{`<script>alert('v')</script>Black`}, Price: usd(300), Stock: 5},
			{SKUID: "12000002", Values: []string{`Red <img src=x onerror=alert(2)>`}, Price: usd(300), Stock: 0, Barcode: "<b>123</b>"},
		},
	}
}

func hostileTitles() []*catalog.Product {
	return []*catalog.Product{
		single(1005006000000001, "+1 Phone Case"),
		single(1005006000000002, "-1 Phone Case"),
		single(1005006000000003, "@SUM(A1) Phone Case"),
		single(1005006000000004, "\tLeading tab\r\nand CRLF"),
		single(1005006000000005, "Smart Watch \u202Egpj.exe"),
		single(1005006000000006, "Cute Cat 🐱 Mug ☕"),
		single(1005006000000007, "Cute Cat 🐱 Mug ☕"),
		single(1005006000000008, `Case "Quoted", with commas, and
a newline`),
		single(1005006000000009, strings.Repeat("Long Title ", 91)[:1000]),
		single(1005006000000010, ""),
		single(1005006000000011, "★☆★"),
		single(1005006000000012, "Café Crème Brûlée Set"),
	}
}

// yen is priced in a zero-decimal currency.
func yen() *catalog.Product {
	p := single(1005006000000100, "Japanese Tea Cup")
	p.Price = catalog.Money{Amount: 1480, Currency: "JPY"}
	p.Variants[0].Price = p.Price
	p.Variants[0].Stock = 40
	return p
}

func sampleProducts() []*catalog.Product {
	ps := []*catalog.Product{earbuds(), hostile(), markup()}
	ps = append(ps, hostileTitles()...)
	return append(ps, yen())
}

var sampleOptions = Options{Price: rulePrice("x2.5 .99 compare x1.4"), Tags: []string{"aliexpress", "=cmd", "<i>sale</i>"}}
