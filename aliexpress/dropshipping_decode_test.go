package aliexpress

import (
	"os"
	"path/filepath"
	"testing"
)

// dsDecodeProductBody runs a ds.product.get body through the decoders DSService.Product uses.
func dsDecodeProductBody(body []byte) (*DSProduct, error) {
	x, err := testReply(dsMethodProduct, body)
	if err != nil {
		return nil, err
	}
	return dsDecodeProduct(x, "USD")
}

// testReply runs a body through the decoding an HTTP 200 answer to method gets, as the client
// does, and returns the reply the method then decodes its result from.
func testReply(method string, body []byte) (*reply, error) {
	d, err := decodeAnswer(&request{method: method}, body)
	return &reply{resp: &Response{Method: method, RequestID: d.requestID}, payload: d.payload,
		resultPath: d.resultPath, resultRaw: d.result}, err
}

func TestDecodeDSProduct40Variants(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "ds", "product_40_variants.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := dsDecodeProductBody(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Variants) != 40 {
		t.Fatalf("len(Variants) = %d; want 40", len(p.Variants))
	}
	v := p.Variants[3]
	if v.SKUID != "12000027158136204" || v.Attr != "14:175#Black;5:100014065#XL" || v.SalePrice != (Money{991, "EUR"}) ||
		v.Stock != 148 || !v.PriceIncludesTax || len(v.WholesaleTiers) != 2 || v.EstimatedImportCharges == nil ||
		len(v.Properties) != 2 || v.Properties[1].Value != "XL" {
		t.Errorf("Variants[3] = %+v", v)
	}
	if p.EvaluationCount != 1204 || p.USProductID != 3256806000000040 || len(p.Images) != 6 || len(p.Attributes) != 6 ||
		p.Attributes[1].Value != `Cotton "combed" 95%` || p.Title != "Demo Cotton T-Shirt, Unisex — 8 colours, S to XXL" {
		t.Errorf("product = %+v", p)
	}
}

func BenchmarkDecodeDSProduct(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "ds", "product_40_variants.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := dsDecodeProductBody(body)
		if err != nil || len(p.Variants) != 40 {
			b.Fatalf("decoded %v, %v; want 40 variants", p, err)
		}
	}
}
