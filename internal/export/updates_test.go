package export

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func TestUpdateWriters(t *testing.T) {
	usd := func(a int64) catalog.Money { return catalog.Money{Amount: a, Currency: "USD"} }
	us := []Update{
		{ProductID: 1005001, Title: "Desk Lamp", SKUID: "12", Options: []string{"Color"}, Values: []string{"Red"},
			Price: usd(2299), CompareAt: usd(3199), Stock: 40},
		{ProductID: 1005001, Title: "Desk Lamp", SKUID: "13", Options: []string{"Color"}, Values: []string{"Blue"},
			Price: usd(2299), Stock: 0},
		{ProductID: 1005002, Title: "=cmd|' /C calc'!A0", Price: usd(999), Stock: -1},
	}
	var sh, wc bytes.Buffer
	if err := WriteShopifyUpdates(&sh, us); err != nil {
		t.Fatal(err)
	}
	if err := ValidateShopifyUpdates(bytes.NewReader(sh.Bytes())); err != nil {
		t.Errorf("ValidateShopifyUpdates(written) = %v\n%s", err, sh.String())
	}
	wantSh := "Title,URL handle,SKU,Option1 name,Option1 value,Option2 name,Option2 value,Option3 name,Option3 value,Price,Compare-at price,Inventory quantity\n" +
		"Desk Lamp,desk-lamp,AE-1005001-12,Color,Red,,,,,22.99,31.99,40\n" +
		"Desk Lamp,desk-lamp,AE-1005001-13,Color,Blue,,,,,22.99,,0\n"
	if !strings.HasPrefix(sh.String(), wantSh) {
		t.Errorf("Shopify update =\n%s\nwant it to start\n%s", sh.String(), wantSh)
	}
	if strings.Contains(sh.String(), ",=cmd") {
		t.Errorf("Shopify update keeps a formula: %s", sh.String())
	}
	if err := WriteWooUpdates(&wc, us); err != nil {
		t.Fatal(err)
	}
	if err := ValidateWooUpdates(bytes.NewReader(wc.Bytes())); err != nil {
		t.Errorf("ValidateWooUpdates(written) = %v\n%s", err, wc.String())
	}
	wantWc := "Type,SKU,Parent,Regular price,Sale price,In stock?,Stock\n" +
		"variation,AE-1005001-12,AE-1005001,31.99,22.99,1,40\n" +
		"variation,AE-1005001-13,AE-1005001,22.99,,0,0\n" +
		"simple,AE-1005002,,9.99,,1,\n"
	if wc.String() != wantWc {
		t.Errorf("WooCommerce update =\n%s\nwant\n%s", wc.String(), wantWc)
	}

	bad := "Type,SKU,Parent,Regular price,Sale price,In stock?,Stock\nvariation,AE-1-2,,9.99,12.00,yes,-3\nvariation,AE-1-2,AE-1,1,,1,\n"
	err := ValidateWooUpdates(strings.NewReader(bad))
	for _, want := range []string{"Parent", "Regular price", "In stock?", "Stock", "repeated"} {
		if err == nil || !strings.Contains(err.Error()+problemsText(err), want) {
			t.Errorf("ValidateWooUpdates(bad) = %v; want a problem naming %s", err, want)
		}
	}
	if err := WriteShopifyUpdates(&sh, []Update{{ProductID: 1, Title: "x", Price: usd(500), CompareAt: usd(400)}}); err == nil {
		t.Error("WriteShopifyUpdates(compare-at below price) = nil; want an error")
	}
}

func problemsText(err error) string {
	ve, ok := err.(*ValidationError)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, p := range ve.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}
