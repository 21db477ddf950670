package export

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

// generated returns a plausible product number i: three options, eight variants, four images.
func generated(i int) *catalog.Product {
	id := int64(1005000000000000 + i)
	p := &catalog.Product{
		ID:              id,
		Title:           fmt.Sprintf("Generated Product %d Stainless Steel Water Bottle, 750 ml \"Sport\"", i%500),
		Images:          []string{"https://ae01.alicdn.com/kf/a.jpg", "https://ae01.alicdn.com/kf/b.jpg", "https://ae01.alicdn.com/kf/c.jpg", "https://ae01.alicdn.com/kf/d.jpg"},
		DescriptionHTML: `<div><p>Keeps drinks <b>cold</b> for 24 h.</p><img src="//ae01.alicdn.com/kf/desc.jpg"><script>x()</script></div>`,
		Category:        catalog.Category{ID: 3, Name: "Water Bottles"},
		TopCategory:     catalog.Category{ID: 1, Name: "Home & Garden"},
		Shop:            catalog.Shop{ID: 9, Name: "Bottle Store"},
		Options: []catalog.Option{
			{Name: "Color", Values: []string{"Black", "White"}},
			{Name: "Capacity", Values: []string{"500ml", "750ml"}},
			{Name: "Ships From", Values: []string{"China", "Spain"}},
		},
		WeightGrams: 350,
		FetchedAt:   fetched,
	}
	for c := range 2 {
		for s := range 2 {
			for f := range 2 {
				n := len(p.Variants)
				p.Variants = append(p.Variants, catalog.Variant{
					SKUID:  strconv.Itoa(12000000000 + n),
					Attr:   fmt.Sprintf("14:%d;5:%d;200007763:%d", c, s, f),
					Values: []string{p.Options[0].Values[c], p.Options[1].Values[s], p.Options[2].Values[f]},
					Price:  usd(int64(899 + 100*n)),
					Stock:  100 * n,
					Image:  "https://ae01.alicdn.com/kf/v.jpg",
				})
			}
		}
	}
	return p
}

func simplePrice(_ *catalog.Product, v *catalog.Variant) (catalog.Money, catalog.Money, error) {
	return catalog.Money{Amount: v.Price.Amount * 2, Currency: v.Price.Currency}, catalog.Money{Amount: v.Price.Amount * 3, Currency: v.Price.Currency}, nil
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestStreamTenThousand writes 10,000 products in each format to io.Discard. What stays in memory
// must not grow with the file, beyond the few bytes per product that keep handles and product IDs
// unique: the writers hold no rows.
func TestStreamTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 products")
	}
	const n = 10000
	const perProduct = 400 // bytes kept per product: map entries for the ID and handle sets
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		t.Run(format, func(t *testing.T) {
			w, err := New(format, io.Discard, Options{Price: simplePrice})
			if err != nil {
				t.Fatal(err)
			}
			var base uint64
			for i := range n {
				if i == 1000 {
					base = heapInUse()
				}
				if err := w.Write(generated(i)); err != nil {
					t.Fatalf("Write(%d) = %v", i, err)
				}
			}
			grown := int64(heapInUse()) - int64(base)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			t.Logf("heap grew %d bytes over %d products", grown, n-1000)
			if grown > (n-1000)*perProduct {
				t.Errorf("heap grew %d bytes over %d products (%d per product); want at most %d per product", grown, n-1000, grown/(n-1000), perProduct)
			}
		})
	}
}

// TestGeneratedValidates runs the validators over a larger generated file, with handle clashes
// (500 distinct titles for 2,000 products).
func TestGeneratedValidates(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		var ps []*catalog.Product
		for i := range 2000 {
			ps = append(ps, generated(i))
		}
		file, refused := export(t, format, Options{Price: simplePrice}, ps)
		if len(refused) > 0 {
			t.Fatalf("%s refused %d products", format, len(refused))
		}
		if err := Validate(format, bytes.NewReader(file)); err != nil {
			t.Errorf("Validate(%s, 2000 generated products) = %v", format, err)
		}
	}
}

// BenchmarkWrite reports the cost of one product (eight variants) in each format.
func BenchmarkWrite(b *testing.B) {
	products := make([]*catalog.Product, 1000)
	for i := range products {
		products[i] = generated(i)
	}
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			w, _ := New(format, io.Discard, Options{Price: simplePrice})
			for i := 0; b.Loop(); i++ {
				p := products[i%len(products)]
				p.ID = int64(2000000000000000 + i) // a new product each time
				if err := w.Write(p); err != nil {
					b.Fatal(err)
				}
			}
			w.Close()
		})
	}
}

// BenchmarkValidateShopify reports the validator's cost per product of a Shopify file.
func BenchmarkValidateShopify(b *testing.B) {
	var ps []*catalog.Product
	for i := range 1000 {
		ps = append(ps, generated(i))
	}
	file, _ := export(b, FormatShopify, Options{Price: simplePrice}, ps)
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if err := ValidateShopify(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}
