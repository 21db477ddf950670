package aliexpress

import (
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
		const m = dsMethodProduct
		payload, rid, err := decodeSync(m, body)
		if err != nil {
			return
		}
		raw, err := dsResult(m, rid, payload)
		if err != nil {
			_ = dsRefine(err)
			return
		}
		p, err := dsDecodeProduct(m, rid, raw)
		if err != nil {
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
			payload, rid, err := decodeSync(m, body)
			if err != nil {
				continue
			}
			raw, err := dsResult(m, rid, payload)
			if err != nil {
				continue
			}
			_, _ = dsDecodeOrder(m, rid, raw)
			var fw dsFreightWire
			if decodeInto(m, rid, raw, &fw) == nil {
				for _, o := range fw.Options {
					_, _ = o.option("USD")
				}
			}
			var tw dsTrackingWire
			_ = decodeInto(m, rid, raw, &tw)
			var cw dsCreateOrderWire
			_ = decodeInto(m, rid, raw, &cw)
		}
	})
}
