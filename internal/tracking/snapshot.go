// Package tracking follows the products users watch: it checks them on their schedules in batches
// within the platform's limits, keeps what each check saw as a snapshot only when something
// changed (shared by every watch of the same product, country and currency), tells users about
// the changes their alert rules ask for, once per change, and computes the store prices that follow
// from their pricing rules.
//
// It reaches AliExpress only through the small Source interface, which cmd/aliscout implements
// with the sourcing service, and keeps its records in the store.
package tracking

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// Snapshot is what one check saw of a product for a country and currency. Money is in minor units
// of Currency.
type Snapshot struct {
	ID        int64     `json:"-"`
	Time      time.Time `json:"time"`
	Available bool      `json:"available"` // false: the product is gone
	Title     string    `json:"title,omitempty"`
	Currency  string    `json:"currency"`
	Options   []string  `json:"options,omitempty"` // variant dimensions, in the order of Variant.Values
	Variants  []Variant `json:"variants"`
	// Shipping is the cheapest way to ship to the watch's country; nil when the product does not
	// ship there (or is gone).
	Shipping *Shipping `json:"shipping,omitempty"`
	Orders   int       `json:"orders"` // orders in the last 30 days as AliExpress counts them
}

// Variant is one variant's supplier price and stock. Stock -1 means unknown.
type Variant struct {
	SKU    string   `json:"sku"`
	Values []string `json:"values,omitempty"`
	Price  int64    `json:"price"`
	Stock  int      `json:"stock"`
}

// Shipping is the cheapest shipping option to the watch's country.
type Shipping struct {
	Cost    int64 `json:"cost"`
	MinDays int   `json:"min_days"`
	MaxDays int   `json:"max_days"`
}

// SnapshotOf reads a product as a check saw it at t.
func SnapshotOf(p catalog.Product, t time.Time) Snapshot {
	s := Snapshot{Time: t.UTC(), Available: true, Title: p.Title, Currency: p.Price.Currency, Orders: p.Orders30d}
	for _, o := range p.Options {
		s.Options = append(s.Options, o.Name)
	}
	for _, v := range p.Variants {
		s.Variants = append(s.Variants, Variant{SKU: v.SKUID, Values: v.Values, Price: v.Price.Amount, Stock: v.Stock})
		if s.Currency == "" {
			s.Currency = v.Price.Currency
		}
	}
	if len(s.Variants) == 0 && !p.Price.IsZero() {
		s.Variants = []Variant{{Price: p.Price.Amount, Stock: -1}}
	}
	slices.SortFunc(s.Variants, func(a, b Variant) int {
		switch {
		case a.SKU < b.SKU:
			return -1
		case a.SKU > b.SKU:
			return 1
		}
		return 0
	})
	if c, ok := p.Cheapest(); ok {
		s.Shipping = &Shipping{Cost: c.Fee.Amount, MinDays: c.MinDays, MaxDays: c.MaxDays}
	}
	return s
}

// Gone is the snapshot of a product that is no longer listed.
func Gone(t time.Time, last Snapshot) Snapshot {
	return Snapshot{Time: t.UTC(), Title: last.Title, Currency: last.Currency, Variants: []Variant{}}
}

// Same reports whether a and b show the same prices, stock, variants, shipping and availability;
// the time, title and order count are not compared (a change of those alone is not kept).
func Same(a, b Snapshot) bool {
	if a.Available != b.Available || a.Currency != b.Currency || len(a.Variants) != len(b.Variants) {
		return false
	}
	for i := range a.Variants {
		va, vb := a.Variants[i], b.Variants[i]
		if va.SKU != vb.SKU || va.Price != vb.Price || va.Stock != vb.Stock {
			return false
		}
	}
	switch {
	case a.Shipping == nil || b.Shipping == nil:
		return a.Shipping == nil && b.Shipping == nil
	default:
		return *a.Shipping == *b.Shipping
	}
}

// Encode is the snapshot as the store keeps it.
func (s Snapshot) Encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("tracking: encode snapshot: %v", err)) // only plain fields: cannot fail
	}
	return b
}

// Decode reads a snapshot the store kept.
func Decode(id int64, data []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return Snapshot{}, fmt.Errorf("tracking: snapshot %d: %w", id, err)
	}
	s.ID = id
	return s, nil
}

// Variant returns the variant with the SKU.
func (s Snapshot) Variant(sku string) (Variant, bool) {
	for _, v := range s.Variants {
		if v.SKU == sku {
			return v, true
		}
	}
	return Variant{}, false
}

// MinPrice is the lowest variant price; 0 with no variant.
func (s Snapshot) MinPrice() int64 {
	var m int64
	for i, v := range s.Variants {
		if i == 0 || v.Price < m {
			m = v.Price
		}
	}
	return m
}

// Velocity estimates orders per day between two snapshots of a product from the change of its
// order count; when the count fell (AliExpress counts a moving 30-day window) or the snapshots
// are less than an hour apart, it is the newer count spread over 30 days.
func Velocity(older, newer Snapshot) float64 {
	days := newer.Time.Sub(older.Time).Hours() / 24
	if d := newer.Orders - older.Orders; d >= 0 && days >= 1.0/24 && older.Orders > 0 {
		return float64(d) / days
	}
	return float64(newer.Orders) / 30
}
