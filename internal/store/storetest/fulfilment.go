package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/aliscout/aliscout/internal/store"
)

// testFulfilment: order settings default until saved and are per user; a store variant's mapping
// is replaced, never duplicated, and scoped by user and store; bulk placements keep their orders
// and are only their user's.
func testFulfilment(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	got, err := s.OrderSettings(ctx, ana.ID)
	if err != nil || got != store.DefaultOrderSettings(ana.ID) {
		t.Fatalf("OrderSettings before any save = %+v, %v; want the defaults", got, err)
	}
	saved, err := s.SaveOrderSettings(ctx, store.OrderSettings{UserID: ana.ID, AutoPay: true, MarginFloorPct: -5.5, MaxDeliveryDays: 20})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.OrderSettings(ctx, ana.ID); err != nil || got != saved || !got.AutoPay || got.MarginFloorPct != -5.5 || got.MaxDeliveryDays != 20 {
		t.Errorf("OrderSettings after save = %+v, %v; want %+v", got, err, saved)
	}
	if got, err = s.OrderSettings(ctx, bob.ID); err != nil || got.AutoPay {
		t.Errorf("bob's settings = %+v, %v; want his own defaults", got, err)
	}
	if _, err := s.SaveOrderSettings(ctx, store.OrderSettings{UserID: 99999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settings of a user who does not exist: err = %v; want ErrNotFound", err)
	}

	if _, err := s.SaveVariantMapping(ctx, store.VariantMapping{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("mapping without a product: err = %v; want ErrInvalid", err)
	}
	for _, m := range []store.VariantMapping{
		{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M", ProductID: "1005001", SKUAttr: "14:10"},
		{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M", ProductID: "1005002", SKUAttr: "14:29"}, // replaces
		{UserID: ana.ID, Store: "shop", StoreSKU: "MUG", ProductID: "1005003"},
		{UserID: ana.ID, Store: "other", StoreSKU: "MUG", ProductID: "1005004"},
		{UserID: bob.ID, Store: "shop", StoreSKU: "MUG", ProductID: "1005005"},
	} {
		if _, err := s.SaveVariantMapping(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := s.VariantMappings(ctx, ana.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].StoreSKU != "MUG" || ms[0].ProductID != "1005003" || ms[1].ProductID != "1005002" || ms[1].SKUAttr != "14:29" {
		t.Errorf("ana's mappings for shop = %+v; want MUG→1005003 and TEE-RED-M→1005002 14:29", ms)
	}

	b, err := s.CreateOrderBatch(ctx, ana.ID, []int64{3, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	got2, err := s.OrderBatch(ctx, ana.ID, b.ID)
	if err != nil || !slices.Equal(got2.OrderIDs, []int64{3, 1, 2}) || got2.UserID != ana.ID {
		t.Errorf("OrderBatch = %+v, %v; want orders 3, 1, 2", got2, err)
	}
	if _, err := s.OrderBatch(ctx, bob.ID, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob reading ana's batch: err = %v; want ErrNotFound", err)
	}
	b2, _ := s.CreateOrderBatch(ctx, ana.ID, []int64{4})
	if latest, err := s.LatestOrderBatch(ctx, ana.ID); err != nil || latest.ID != b2.ID {
		t.Errorf("LatestOrderBatch = %+v, %v; want batch %d", latest, err, b2.ID)
	}
	if _, err := s.LatestOrderBatch(ctx, bob.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob's latest batch: err = %v; want ErrNotFound", err)
	}
}
