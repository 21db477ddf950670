package orders

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/store"
)

// sample reads a testdata export with the placeholders filled.
func sample(t *testing.T, name string, repl ...string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(repl...).Replace(string(b))
}

func TestParseOrdersCSV(t *testing.T) {
	repl := []string{"{{P1}}", "1005001", "{{S1}}", "12000001", "{{S2}}", "12000002"}
	shop, err := ParseOrdersCSV(strings.NewReader(sample(t, "shopify_orders.csv", repl...)), 7, "myshop")
	if err != nil {
		t.Fatal(err)
	}
	// #1003 holds only a gift card, which is not bought on AliExpress.
	if len(shop) != 2 || shop[0].StoreOrderID != "#1001" || len(shop[0].Lines) != 2 || shop[1].StoreOrderID != "#1002" {
		t.Fatalf("Shopify orders = %+v; want #1001 with two lines and #1002", shop)
	}
	l := shop[0].Lines[1]
	if l.ProductID != "1005001" || l.SKUID != "12000002" || l.Quantity != 1 || l.StorePrice.Amount != 1899 || l.StorePrice.Currency != "USD" {
		t.Errorf("#1001 second line = %+v", l)
	}
	a := shop[0].Address
	if a.FullName != "Jane Doe" || a.Address != "100 Main Street" || a.Province != "Texas" || a.Country != "US" || a.Zip != "73301" {
		t.Errorf("#1001 address = %+v", a)
	}

	woo, err := ParseOrdersCSV(strings.NewReader(sample(t, "woocommerce_orders.csv", repl...)), 7, "mywoo")
	if err != nil {
		t.Fatal(err)
	}
	if len(woo) != 2 || woo[1].StoreOrderID != "7002" || len(woo[1].Lines) != 2 || woo[1].Address.Country != "BR" || woo[1].Address.FullName != "João Silva" {
		t.Fatalf("WooCommerce orders = %+v", woo)
	}
	if l := woo[0].Lines[0]; l.Quantity != 2 || l.StorePrice.Amount != 1999 || l.StorePrice.Currency != "EUR" {
		t.Errorf("7001 line = %+v; want 2 at 19.99 EUR each", l)
	}

	for _, bad := range []string{"a,b\n1,2\n", "", "order_number,line_item_1\n,name:x|sku:AE-1|quantity:1|total:1\n",
		"order_number,order_currency,line_item_1\n5,USD,name:x|sku:AE-1|quantity:zero|total:1\n"} {
		if _, err := ParseOrdersCSV(strings.NewReader(bad), 7, "s"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ParseOrdersCSV(%q) err = %v; want ErrInvalid", bad, err)
		}
	}
}
