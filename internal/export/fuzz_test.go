package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

// FuzzExport feeds arbitrary text into every text field of a product: each format must either
// refuse the product with a *ProductError or write a file that re-parses with the expected
// number of rows, has no formula cell, and passes its validator.
func FuzzExport(f *testing.F) {
	f.Add(`=HYPERLINK("http://evil.example","x")`, `<p onclick=x>hi</p><script>alert(1)</script>`, "Color", "-1", "@SUM(A1)", "+1 Shop", "https://ae01.alicdn.com/kf/x.jpg", "12000037")
	f.Add("\tTab\r\nCRLF", "", "\u202E", "🐱", "☕", "", "//ae01.alicdn.com/a.jpg", "")
	f.Add("", "<svg><a xlink:href=javascript:1>", "Title", "Default Title", "x", "\x00", "javascript:alert(1)", "=1")
	f.Add(`a "quoted", title`, "<p>\xff</p>", "Size, EU", "a,b", `a\,b`, "'=x", "https://a.example/a,b.jpg", "-")
	f.Add("'=x", "", "'+1", "'=1", "'-1", "'@x", "", "'=1")
	f.Fuzz(func(t *testing.T, title, desc, optName, v1, v2, vendor, img, skuID string) {
		p := &catalog.Product{
			ID:              1005006000000001,
			Title:           title,
			DescriptionHTML: desc,
			Images:          []string{"https://ae01.alicdn.com/kf/1.jpg", img},
			Category:        catalog.Category{Name: vendor},
			TopCategory:     catalog.Category{Name: title},
			Shop:            catalog.Shop{Name: vendor},
			Options:         []catalog.Option{{Name: optName, Values: []string{v1, v2}}},
			Variants: []catalog.Variant{
				{SKUID: skuID, Attr: v1, Values: []string{v1}, Price: usd(199), Stock: 3, Image: img, Barcode: vendor},
				{SKUID: skuID + "2", Attr: v2, Values: []string{v2}, Price: usd(299), Stock: -1},
			},
			WeightGrams: 100,
		}
		q := single(1005006000000002, v1+title)
		q.Shop.Name = desc
		q.Variants[0].SKUID = skuID
		opts := Options{Price: rulePrice("x2 .99 compare x1.5"), Tags: []string{vendor, v2}}

		for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
			var buf bytes.Buffer
			w, _ := New(format, &buf, opts)
			wantRows := 1 // the header
			products := 0
			for _, prod := range []*catalog.Product{p, q} {
				err := w.Write(prod)
				var pe *ProductError
				if errors.As(err, &pe) {
					continue
				}
				if err != nil {
					t.Fatalf("%s Write = %v; want nil or a *ProductError", format, err)
				}
				products++
				variants := len(prod.Variants)
				switch format {
				case FormatShopify:
					wantRows += variants
					if n := len(validImages(prod.Images)); n > 1 {
						wantRows += n - 1
					}
				case FormatWooCommerce:
					wantRows++
					if len(prod.Options) > 0 {
						wantRows += variants
					}
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			file := buf.Bytes()
			if err := Validate(format, bytes.NewReader(file)); err != nil {
				t.Fatalf("Validate(%s) = %v\nfile:\n%s", format, err, file)
			}
			if format == FormatJSON {
				var got []JSONProduct
				if err := json.Unmarshal(file, &got); err != nil || len(got) != products {
					t.Fatalf("JSON export = %d products, %v; want %d", len(got), err, products)
				}
				continue
			}
			recs, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
			if err != nil {
				t.Fatalf("%s export does not re-parse: %v", format, err)
			}
			if len(recs) != wantRows {
				t.Fatalf("%s export has %d rows; want %d\nfile:\n%s", format, len(recs), wantRows, file)
			}
			for i, rec := range recs {
				for j, c := range rec {
					if formulaStart(c) {
						t.Fatalf("%s line %d column %d = %q; a formula", format, i+1, j+1, c)
					}
				}
			}
		}
	})
}

func validImages(imgs []string) []string {
	var out []string
	for _, u := range imgs {
		if safeURL(u) != "" {
			out = append(out, u)
		}
	}
	return out
}

// FuzzValidate feeds arbitrary files to the validators, which read uploads: they must not panic
// and must answer nil or a *ValidationError.
func FuzzValidate(f *testing.F) {
	for _, g := range goldenFiles {
		if b, err := os.ReadFile(filepath.Join("testdata", g.file)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(strings.Join(ShopifyHeader, ",") + "\n" + `a"b,"c` + "\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
			err := Validate(format, bytes.NewReader(file))
			var ve *ValidationError
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("Validate(%s) = %v; want nil or a *ValidationError", format, err)
			}
		}
	})
}
