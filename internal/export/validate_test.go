package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func encodeCSV(t *testing.T, recs [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cloneRecs(recs [][]string) [][]string {
	out := make([][]string, len(recs))
	for i, r := range recs {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// wantProblem checks that err is a *ValidationError with a problem on line saying says.
func wantProblem(t *testing.T, name string, err error, line int, says string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("%s: error = %v; want a *ValidationError", name, err)
		return
	}
	for _, p := range ve.Problems {
		if p.Line == line && strings.Contains(p.String(), says) {
			return
		}
	}
	t.Errorf("%s: problems = %q; want one on line %d saying %q", name, ve.Problems, line, says)
}

func TestValidateShopify(t *testing.T) {
	// Lines: 1 header; 2-5 earbuds variants; 6-7 earbuds images; 8 mug; 9 cup.
	file, _ := export(t, FormatShopify, sampleOptions, []*catalog.Product{earbuds(), single(7, "Mug"), single(8, "Cup")})
	good := readCSV(t, file)
	if err := ValidateShopify(bytes.NewReader(file)); err != nil {
		t.Fatalf("ValidateShopify(good file) = %v", err)
	}
	tests := []struct {
		name   string
		change func(r [][]string) [][]string
		line   int
		says   string
	}{
		{"renamed column", func(r [][]string) [][]string { r[0][shHandle] = "Handle"; return r }, 1, `column 2 is "Handle"; want "URL handle"`},
		{"legacy header", func(r [][]string) [][]string { r[0] = r[0][:20]; return r }, 1, "header ends after 20 columns"},
		{"extra column", func(r [][]string) [][]string {
			for i := range r {
				r[i] = append(r[i], "")
			}
			r[0][len(r[0])-1] = "Extra"
			return r
		}, 1, `extra "Extra"`},
		{"short row", func(r [][]string) [][]string { r[3] = r[3][:10]; return r }, 4, "10 cells; the header has 57"},
		{"uppercase handle", func(r [][]string) [][]string { r[7][shHandle] = "My Mug"; return r }, 8, "lowercase letters, digits and hyphens"},
		{"long handle", func(r [][]string) [][]string { r[7][shHandle] = strings.Repeat("a", 256); return r }, 8, "256 characters; at most 255"},
		{"handle again later", func(r [][]string) [][]string { r[8][shHandle] = r[1][shHandle]; return r }, 9, "used by an earlier product"},
		{"empty handle", func(r [][]string) [][]string { r[3][shHandle] = ""; return r }, 4, "URL handle: empty"},
		{"no title", func(r [][]string) [][]string { r[7][shTitle] = ""; return r }, 8, "Title: empty"},
		{"same option values", func(r [][]string) [][]string {
			r[3][shOption1Name+1], r[3][shOption1Name+4] = "black", "china"
			return r
		}, 4, "the same option values as line 2"},
		{"missing option value", func(r [][]string) [][]string { r[2][shOption1Name+4] = ""; return r }, 3, `option "Ships From" needs a value`},
		{"value without option", func(r [][]string) [][]string { r[2][shOption1Name+7] = "Large"; return r }, 3, `"Large" for an option with no name`},
		{"option gap", func(r [][]string) [][]string { r[7][shOption1Name+6] = "Size"; return r }, 8, "set while option 2 has no name"},
		{"same option name", func(r [][]string) [][]string { r[1][shOption1Name+3] = "color"; return r }, 2, `"color" is also option 1`},
		{"option renamed later", func(r [][]string) [][]string { r[2][shOption1Name] = "Colour"; return r }, 3, `"Colour" differs from "Color"`},
		{"default title mixed", func(r [][]string) [][]string {
			r[7][shOption1Name+3], r[7][shOption1Name+4] = "Size", "L"
			return r
		}, 8, `"Title" / "Default Title" mixed with real options`},
		{"two default titles", func(r [][]string) [][]string {
			row := append([]string(nil), r[7]...)
			row[shTitle], row[shSKU] = "", "AE-7-2"
			return append(r[:8], append([][]string{row}, r[8:]...)...)
		}, 9, "variant Default Title already exists"},
		{"price not a number", func(r [][]string) [][]string { r[2][shPrice] = "12,99"; return r }, 3, `Price: "12,99" is not a decimal`},
		{"no price", func(r [][]string) [][]string { r[2][shPrice] = ""; return r }, 3, "Price: empty on a variant row"},
		{"compare-at not above", func(r [][]string) [][]string { r[2][shCompareAt] = "37.99"; return r }, 3, "37.99 is not above the price 37.99"},
		{"compare-at below", func(r [][]string) [][]string { r[2][shCompareAt] = "9.5"; return r }, 3, "not above the price"},
		{"bad cost", func(r [][]string) [][]string { r[2][shCost] = "about 3"; return r }, 3, "Cost per item"},
		{"formula cell", func(r [][]string) [][]string { r[7][shTitle] = "=HYPERLINK(\"http://evil.example\")"; return r }, 8, "Title: starts with \"=\""},
		{"negative price is a formula", func(r [][]string) [][]string { r[7][shPrice] = "-1"; return r }, 8, "Price: starts with \"-\""},
		{"tab cell", func(r [][]string) [][]string { r[7][shVendor] = "\tx"; return r }, 8, "Vendor: starts with"},
		{"same SKU", func(r [][]string) [][]string { r[8][shSKU] = r[7][shSKU]; return r }, 9, "used by an earlier variant"},
		{"bad status", func(r [][]string) [][]string { r[7][shStatus] = "live"; return r }, 8, `"live": want active, draft or archived`},
		{"bad published", func(r [][]string) [][]string { r[7][shPublished] = "yes"; return r }, 8, "want TRUE or FALSE"},
		{"bad inventory policy", func(r [][]string) [][]string { r[7][shContinueSelling] = "maybe"; return r }, 8, "want DENY or CONTINUE"},
		{"bad quantity", func(r [][]string) [][]string { r[2][shQuantity] = "lots"; return r }, 3, "Inventory quantity"},
		{"bad image position", func(r [][]string) [][]string { r[5][shImagePosition] = "0"; return r }, 6, "Image position"},
		{"image not http", func(r [][]string) [][]string { r[5][shImage] = "javascript:alert(1)"; return r }, 6, "not an absolute http(s) URL"},
		{"empty row", func(r [][]string) [][]string { r[5][shImage] = ""; return r }, 6, "neither a variant nor an image"},
	}
	for _, tt := range tests {
		recs := tt.change(cloneRecs(good))
		err := ValidateShopify(bytes.NewReader(encodeCSV(t, recs)))
		wantProblem(t, tt.name, err, tt.line, tt.says)
	}
}

func TestValidateShopifyFile(t *testing.T) {
	header := strings.Join(ShopifyHeader, ",") + "\n"
	tests := []struct {
		name string
		file string
		line int
		says string
	}{
		{"empty", "", 0, "empty file"},
		{"bare quote", header + `a"b` + strings.Repeat(",", 56) + "\n", 2, "not valid CSV"},
		{"not UTF-8", header + "T\xff,t" + strings.Repeat(",", 55) + "\n", 2, "Title: not UTF-8"},
	}
	for _, tt := range tests {
		wantProblem(t, tt.name, ValidateShopify(strings.NewReader(tt.file)), tt.line, tt.says)
	}
	// A byte-order mark before the header is accepted.
	file, _ := export(t, FormatShopify, Options{}, []*catalog.Product{single(7, "Mug")})
	if err := ValidateShopify(io.MultiReader(strings.NewReader("\uFEFF"), bytes.NewReader(file))); err != nil {
		t.Errorf("ValidateShopify(BOM + file) = %v; want nil", err)
	}
}

func TestValidateShopifySize(t *testing.T) {
	file, _ := export(t, FormatShopify, Options{}, []*catalog.Product{single(7, "Mug")})
	row := "," + "mug," + strings.Repeat(",", 34) + "https://ae01.alicdn.com/kf/" + strings.Repeat("x", 200) + ".jpg,2" + strings.Repeat(",", 19) + "\n"
	n := MaxShopifyBytes/len(row) + 1
	big := io.MultiReader(bytes.NewReader(file), strings.NewReader(strings.Repeat(row, n)))
	wantProblem(t, "16 MB", ValidateShopify(big), 0, "larger than 15 MB")
}

func TestValidationErrorMessage(t *testing.T) {
	header := strings.Join(ShopifyHeader, ",") + "\n"
	row := "=x,Bad Handle" + strings.Repeat(",", 55) + "\n"
	err := ValidateShopify(strings.NewReader(header + strings.Repeat(row, 300)))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != maxProblems || ve.More == 0 {
		t.Fatalf("ValidateShopify(300 bad rows) = %v; want %d problems kept and the rest counted", err, maxProblems)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "export: shopify file: ") || !strings.Contains(msg, "line 2: Title: starts with") || !strings.Contains(msg, "more") {
		t.Errorf("Error() = %q; want the count, the first problems with lines, and how many more", msg)
	}
}

func TestValidateWoo(t *testing.T) {
	// Lines: 1 header; 2 earbuds parent; 3-6 variations; 7 mug (simple).
	file, _ := export(t, FormatWooCommerce, sampleOptions, []*catalog.Product{earbuds(), single(7, "Mug")})
	good := readCSV(t, file)
	if err := ValidateWoo(bytes.NewReader(file)); err != nil {
		t.Fatalf("ValidateWoo(good file) = %v", err)
	}
	tests := []struct {
		name   string
		change func(r [][]string) [][]string
		line   int
		says   string
	}{
		{"renamed column", func(r [][]string) [][]string { r[0][wcMetaSupplierCost] = "Meta: cost"; return r }, 1, `"Meta: cost"`},
		{"variation before parent", func(r [][]string) [][]string {
			r[1], r[2] = r[2], r[1]
			return r
		}, 2, "parents come before their variations"},
		{"unknown parent", func(r [][]string) [][]string { r[3][wcParent] = "AE-404"; return r }, 4, `"AE-404" is not a variable product earlier`},
		{"no parent", func(r [][]string) [][]string { r[3][wcParent] = ""; return r }, 4, "Parent: empty"},
		{"value not in parent", func(r [][]string) [][]string { r[3][wcAttr1Name+1] = "Red"; return r }, 4, `"Red" is not among the parent's values for "Color"`},
		{"two values on a variation", func(r [][]string) [][]string { r[3][wcAttr1Name+1] = "Black, White"; return r }, 4, "2 values; a variation has one"},
		{"attribute renamed", func(r [][]string) [][]string { r[3][wcAttr1Name] = "Colour"; return r }, 4, `"Colour"; the parent on line 2 has "Color"`},
		{"parent without attributes", func(r [][]string) [][]string {
			for i := range 12 {
				r[1][wcAttr1Name+i] = ""
			}
			return r
		}, 2, "needs attributes"},
		{"attribute without values", func(r [][]string) [][]string { r[1][wcAttr1Name+1] = ""; return r }, 2, `no values for attribute "Color"`},
		{"sale not below regular", func(r [][]string) [][]string { r[3][wcSalePrice] = r[3][wcRegularPrice]; return r }, 4, "not below the regular price"},
		{"sale without regular", func(r [][]string) [][]string { r[3][wcRegularPrice] = ""; return r }, 4, "not below the regular price"},
		{"price not a number", func(r [][]string) [][]string { r[6][wcRegularPrice] = "free"; return r }, 7, `Regular price: "free"`},
		{"same SKU", func(r [][]string) [][]string { r[4][wcSKU] = r[3][wcSKU]; return r }, 5, "used by an earlier row"},
		{"bad type", func(r [][]string) [][]string { r[6][wcType] = "bundle"; return r }, 7, `"bundle": want simple`},
		{"no type", func(r [][]string) [][]string { r[6][wcType] = ""; return r }, 7, "Type: empty"},
		{"bad published", func(r [][]string) [][]string { r[6][wcPublished] = "2"; return r }, 7, "want 1, 0 or -1"},
		{"raw -1 is a formula", func(r [][]string) [][]string { r[6][wcPublished] = "-1"; return r }, 7, "Published: starts with \"-\""},
		{"bad in stock", func(r [][]string) [][]string { r[6][wcInStock] = "yes"; return r }, 7, "want 1 or 0"},
		{"bad stock", func(r [][]string) [][]string { r[3][wcStock] = "many"; return r }, 4, "Stock"},
		{"no name", func(r [][]string) [][]string { r[6][wcName] = ""; return r }, 7, "Name: empty"},
		{"bad image", func(r [][]string) [][]string {
			r[6][wcImages] = "https://a.example/x.jpg, ftp://b.example/y.jpg"
			return r
		}, 7, `"ftp://b.example/y.jpg"`},
		{"formula", func(r [][]string) [][]string { r[6][wcName] = "@SUM(A1)"; return r }, 7, "Name: starts with"},
	}
	for _, tt := range tests {
		recs := tt.change(cloneRecs(good))
		err := ValidateWoo(bytes.NewReader(encodeCSV(t, recs)))
		wantProblem(t, tt.name, err, tt.line, tt.says)
	}
}

func TestValidateJSON(t *testing.T) {
	file, _ := export(t, FormatJSON, sampleOptions, sampleProducts())
	if err := ValidateJSON(bytes.NewReader(file)); err != nil {
		t.Errorf("ValidateJSON(export) = %v; want nil", err)
	}
	for in, says := range map[string]string{
		`{}`:                       "not a JSON array",
		`[{"id":1,"variants":[]}]`: "no variants",
		`[{"id":1,"variants":[{"sku":"A","price":{"amount":"1.00"},"cost":{"amount":"1"}}]},{"id":2,"variants":[{"sku":"A","price":{"amount":"1"},"cost":{"amount":"1"}}]}]`: `SKU "A" is used`,
		`[{"id":1,"variants":[{"sku":"A","price":{"amount":"-1"},"cost":{"amount":"1"}}]}]`:                                                                                  "not a decimal",
		`[{"id":1`: "product 1",
		`[`:        "does not end",
	} {
		wantProblem(t, in, ValidateJSON(strings.NewReader(in)), 0, says)
	}
}

func TestValidateUnknownFormat(t *testing.T) {
	if err := Validate("xlsx", strings.NewReader("")); err == nil || !strings.Contains(err.Error(), `"xlsx"`) {
		t.Errorf(`Validate("xlsx") = %v; want an error naming "xlsx"`, err)
	}
	if _, err := NewChecker("xlsx", io.Discard); err == nil {
		t.Errorf(`NewChecker("xlsx") error = nil; want an error`)
	}
}

func TestChecker(t *testing.T) {
	for _, format := range []string{FormatShopify, FormatWooCommerce, FormatJSON} {
		var direct, checked bytes.Buffer
		for _, out := range []*bytes.Buffer{&direct, &checked} {
			var dst io.Writer = out
			var c *Checker
			if out == &checked {
				var err error
				if c, err = NewChecker(format, out); err != nil {
					t.Fatal(err)
				}
				dst = c
			}
			opts := sampleOptions
			if c != nil {
				opts.Changed = c.Record
			}
			w, _ := New(format, dst, opts)
			for _, p := range sampleProducts() {
				if err := w.Write(p); err != nil {
					t.Fatalf("%s Write: %v", format, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if c != nil {
				if err := c.Close(); err != nil {
					t.Errorf("%s Checker.Close() = %v; want nil for the writer's own output", format, err)
				}
				if err := c.Close(); err != nil {
					t.Errorf("%s second Checker.Close() = %v; want the same nil", format, err)
				}
				// The report lists the titles written without their formula characters.
				var titles []string
				for _, ch := range c.Changes() {
					if ch.Field == "Title" {
						titles = append(titles, ch.To)
					}
				}
				if want := []string{`HYPERLINK("http://evil.example","x")`, "1 Phone Case", "1 Phone Case", "SUM(A1) Phone Case"}; format != FormatJSON && !slices.Equal(titles, want) {
					t.Errorf("%s Checker.Changes() titles = %q; want %q", format, titles, want)
				}
			}
		}
		if !bytes.Equal(direct.Bytes(), checked.Bytes()) {
			t.Errorf("%s: output through a Checker differs from the direct output", format)
		}
	}
}

func TestCheckerReportsAndNeverBlocks(t *testing.T) {
	var out bytes.Buffer
	c, err := NewChecker(FormatShopify, &out)
	if err != nil {
		t.Fatal(err)
	}
	// A wrong header stops the validator at once; the rest must still flow to out.
	big := strings.Repeat("not,a,shopify,file\n", 100000)
	if _, err := io.Copy(c, strings.NewReader(big)); err != nil {
		t.Fatalf("writing through the Checker: %v", err)
	}
	wantProblem(t, "Checker on a wrong file", c.Close(), 1, "header")
	if out.Len() != len(big) {
		t.Errorf("Checker passed %d bytes on; want all %d", out.Len(), len(big))
	}
}
