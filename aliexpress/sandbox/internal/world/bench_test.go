package world

import "testing"

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(int64(b.N), DefaultSize)
	}
}

func BenchmarkSearch(b *testing.B) {
	c := New(1, DefaultSize)
	for _, bc := range []struct {
		name string
		q    Query
	}{
		{"keywords", Query{Keywords: "phone case", PageSize: 20}},
		{"keywords-ship-delivery", Query{Keywords: "wireless", ShipTo: "FR", DeliveryDays: 10, PageSize: 20}},
		{"all-by-price", Query{Sort: SortPriceAsc, PageSize: 50}},
		{"all-by-volume-page-40", Query{Sort: SortVolumeDesc, PageSize: 50, Page: 40}},
		{"category-price-range", Query{CategoryIDs: []int64{509}, MinPrice: 500, MaxPrice: 3000, Sort: SortDiscountDsc, PageSize: 50}},
		{"promo", Query{Promo: "DS_France_topsellers", PageSize: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			day := 0
			for b.Loop() {
				c.Search(bc.q, day%30)
				day++
			}
		})
	}
}

func BenchmarkProduct(b *testing.B) {
	c := New(1, DefaultSize)
	ids := c.IDs()
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Product(ids[i%100], i%30)
			i++
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Product(ids[(i*7919)%len(ids)], i%30)
			i++
		}
	})
}

func BenchmarkShipping(b *testing.B) {
	c := New(1, DefaultSize)
	p, _ := c.Product(referenceID, 0)
	b.ReportAllocs()
	for b.Loop() {
		c.Shipping(p, "", "DE", 2)
	}
}

func BenchmarkImagePNG(b *testing.B) {
	c := New(1, DefaultSize)
	ids := c.IDs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.images = newLRU[string, []byte](1) // measure rendering, not the cache
		p, _ := c.Product(ids[i%len(ids)], 0)
		c.ImagePNG(p.Images[0])
		i++
	}
}
