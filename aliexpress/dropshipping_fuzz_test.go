package aliexpress

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeDSProduct feeds any body through what DSService.Product does with an answer: the /sync
// envelope, the DS status family and the product decoder. Nothing may panic, and a product that
// decodes has consistent money.
func FuzzDecodeDSProduct(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "ds", "product_*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"aliexpress_ds_product_get_response":{"result":{"ae_item_sku_info_dtos":{"x":{"sku_id":1}}},"rsp_code":"200"}}`))
	f.Add([]byte(`{"aliexpress_ds_product_get_response":{"result":{"ae_item_base_info_dto":{"product_id":"1e3"},"product_id_converter_result":{"sub_product_id":"\"{}\""}}}}`))
	f.Add([]byte(`{"aliexpress_ds_product_get_response":{"result":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		x, err := testReply(dsMethodProduct, body)
		if err != nil {
			_ = dsRefine(err)
			return
		}
		p, err := dsDecodeProduct(x, "USD")
		if (p == nil) == (err == nil) {
			t.Fatalf("dsDecodeProduct = %v, %v; want exactly one of a product and an error", p, err)
		}
		if err != nil {
			if !errors.Is(err, ErrRequiredField) {
				t.Fatalf("dsDecodeProduct error = %v; want ErrRequiredField", err)
			}
			return
		}
		for i, v := range p.Variants {
			if v.SalePrice.Amount < 0 || v.Price.Amount < 0 {
				t.Errorf("Variants[%d] has a negative price: %+v", i, v)
			}
		}
	})
}

// FuzzDecodeDSOrder does the same for the order, freight and tracking decoders.
func FuzzDecodeDSOrder(f *testing.F) {
	for _, pat := range []string{"order_*.json", "freight_*.json", "tracking_*.json"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "ds", pat))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, m := range []string{dsMethodOrder, dsMethodFreight, dsMethodTracking, dsMethodCreateOrder} {
			x, err := testReply(m, body)
			if err != nil {
				continue
			}
			_, _ = dsDecodeOrder(x)
			path, raw := x.result()
			var fw dsFreightWire
			if x.decode(path, raw, &fw) == nil {
				for _, o := range fw.Options.all() {
					_ = o.option("USD")
				}
			}
			var tw dsTrackingWire
			_ = x.decode(path, raw, &tw)
			var cw dsCreateOrderWire
			_ = x.decode(path, raw, &cw)
		}
	})
}
