package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
	"github.com/aliscout/aliscout/internal/store"
)

// historyLimit is the most snapshots read for a history or a baseline.
const historyLimit = 2000

// baseline is the snapshot the watch's store prices were last set from: the newest taken at or
// before the later of the watch's creation and its last applied update, or else the oldest one.
func baseline(ctx context.Context, st store.Store, w store.Watch) (Snapshot, error) {
	list, err := st.Snapshots(ctx, w.ProductID, w.Country, w.Currency, time.Time{}, historyLimit)
	if err != nil {
		return Snapshot{}, err
	}
	if len(list) == 0 {
		return Snapshot{}, fmt.Errorf("tracking: no snapshot of product %d: %w", w.ProductID, store.ErrNotFound)
	}
	at := w.CreatedAt
	if w.BaselineAt.After(at) {
		at = w.BaselineAt
	}
	pick := list[0]
	for _, s := range list {
		if s.TakenAt.After(at) {
			break
		}
		pick = s
	}
	return Decode(pick.ID, pick.Data)
}

// PriceUpdate is a variant whose store price or stock should change since the user last applied
// the updates of the watch.
type PriceUpdate struct {
	WatchID      int64         `json:"watch_id"`
	ProductID    int64         `json:"product_id"`
	Title        string        `json:"title"`
	Options      []string      `json:"options,omitempty"`
	SKU          string        `json:"sku"`
	Values       []string      `json:"values,omitempty"`
	OldCost      catalog.Money `json:"-"`
	NewCost      catalog.Money `json:"-"`
	OldPrice     catalog.Money `json:"-"`
	NewPrice     catalog.Money `json:"-"`
	NewCompareAt catalog.Money `json:"-"` // zero for none
	Stock        int           `json:"stock"`
	OldStock     int           `json:"old_stock"`
	Why          string        `json:"why"`
}

// MarshalJSON writes the amounts as decimal strings with their currency.
func (u PriceUpdate) MarshalJSON() ([]byte, error) {
	type plain PriceUpdate
	dec := func(m catalog.Money) string {
		if m.IsZero() {
			return ""
		}
		return m.Decimal()
	}
	return json.Marshal(struct {
		plain
		Currency     string `json:"currency"`
		OldCost      string `json:"old_cost"`
		NewCost      string `json:"new_cost"`
		OldPrice     string `json:"old_price"`
		NewPrice     string `json:"new_price"`
		NewCompareAt string `json:"new_compare_at,omitempty"`
	}{plain(u), u.NewPrice.Currency, dec(u.OldCost), dec(u.NewCost), dec(u.OldPrice), dec(u.NewPrice), dec(u.NewCompareAt)})
}

// PriceUpdates lists, for every one of the user's watches with a pricing rule, the variants whose
// store price (from the rule and the supplier price) or stock changed since the baseline: the
// rows a store update file holds. A variant gone or a product gone has stock 0.
func PriceUpdates(ctx context.Context, st store.Store, userID int64) ([]PriceUpdate, error) {
	watches, err := st.Watches(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []PriceUpdate
	for _, w := range watches {
		if w.Rule == "" {
			continue
		}
		rule, err := pricing.ParseRule(w.Rule, w.Currency)
		if err != nil {
			continue // checked when saved; a rule the parser no longer takes is left out
		}
		base, err := baseline(ctx, st, w)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ls, err := st.LatestSnapshot(ctx, w.ProductID, w.Country, w.Currency)
		if err != nil {
			return nil, err
		}
		cur, err := Decode(ls.ID, ls.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, updatesOf(w, rule, base, cur)...)
	}
	return out, nil
}

func updatesOf(w store.Watch, rule pricing.Rule, base, cur Snapshot) []PriceUpdate {
	var out []PriceUpdate
	money := func(a int64) catalog.Money { return catalog.Money{Amount: a, Currency: w.Currency} }
	title := cur.Title
	if title == "" {
		title = w.Title
	}
	for _, bv := range base.Variants {
		nv, ok := cur.Variant(bv.SKU)
		if !ok || !cur.Available {
			nv = Variant{SKU: bv.SKU, Values: bv.Values, Price: bv.Price, Stock: 0}
		}
		oldPrice, _, err1 := rule.Apply(money(bv.Price))
		newPrice, newCompare, err2 := rule.Apply(money(nv.Price))
		if err1 != nil || err2 != nil {
			continue
		}
		if oldPrice == newPrice && bv.Stock == nv.Stock {
			continue
		}
		why := ""
		switch {
		case !cur.Available:
			why = "product gone"
		case !ok:
			why = "variant removed"
		case bv.Price != nv.Price:
			why = fmt.Sprintf("supplier price %s → %s", money(bv.Price).Decimal(), money(nv.Price).Decimal())
		default:
			why = fmt.Sprintf("stock %d → %d", bv.Stock, nv.Stock)
		}
		out = append(out, PriceUpdate{WatchID: w.ID, ProductID: w.ProductID, Title: title, Options: base.Options, SKU: bv.SKU,
			Values: nv.Values, OldCost: money(bv.Price), NewCost: money(nv.Price), OldPrice: oldPrice, NewPrice: newPrice,
			NewCompareAt: newCompare, Stock: nv.Stock, OldStock: bv.Stock, Why: why})
	}
	return out
}

// alertDetail is the alert as JSON for scripts and webhooks.
func alertDetail(w store.Watch, a Alert, cur Snapshot) string {
	b, _ := json.Marshal(struct {
		Kind      string   `json:"kind"`
		ProductID int64    `json:"product_id"`
		WatchID   int64    `json:"watch_id"`
		Country   string   `json:"country"`
		Title     string   `json:"title,omitempty"`
		Changes   []Change `json:"changes"`
		SeenAt    string   `json:"seen_at"`
	}{a.Kind, w.ProductID, w.ID, w.Country, cur.Title, a.Changes, cur.Time.Format(time.RFC3339)})
	return string(b)
}
