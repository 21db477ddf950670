package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/store"
)

func sampleOrder(userID int64, storeOrderID string) store.Order {
	return store.Order{
		UserID: userID, Store: "myshop", StoreOrderID: storeOrderID,
		Lines: []store.OrderLine{
			{ProductID: "1005006123456789", SKUAttr: "14:175#Black", Quantity: 2, StorePrice: money(1299, "USD"), Title: "Lamp"},
		},
		Address: store.OrderAddress{FullName: "Jane Doe", Address: "100 Main Street", City: "Austin", Province: "Texas",
			Zip: "73301", Country: "US", Phone: "5125550100", PhoneCountry: "+1"},
	}
}

func testOrders(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	o, created, err := s.CreateOrder(ctx, sampleOrder(ana.ID, "#1001"))
	if err != nil || !created {
		t.Fatalf("CreateOrder = %+v, %v, %v; want created", o, created, err)
	}
	want := sampleOrder(ana.ID, "#1001")
	want.ID, want.State, want.Problems, want.Tracking, want.CreatedAt, want.UpdatedAt = o.ID, store.OrderNew, []store.OrderProblem{}, []store.OrderTracking{}, us(start), us(start)
	want.Flags = []store.OrderFlag{}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("CreateOrder returned (-want +got):\n%s", diff)
	}
	// The same store order again is recognised, never duplicated.
	clock.Advance(time.Minute)
	again := sampleOrder(ana.ID, " #1001 ")
	again.Lines[0].Quantity = 5
	got, created, err := s.CreateOrder(ctx, again)
	if err != nil || created || !cmp.Equal(got, o) {
		t.Errorf("CreateOrder(same store order) = %+v, %v, %v; want the first, not created", got, created, err)
	}
	// Another store's order with the same number, and another user's, are different orders.
	other := sampleOrder(ana.ID, "#1001")
	other.Store = "othershop"
	if o2, created, err := s.CreateOrder(ctx, other); err != nil || !created || o2.ID == o.ID {
		t.Errorf("CreateOrder(other store) = %+v, %v, %v; want a new order", o2, created, err)
	}
	bobs, created, err := s.CreateOrder(ctx, sampleOrder(bob.ID, "#1001"))
	if err != nil || !created {
		t.Fatalf("CreateOrder(bob) = %v, %v", created, err)
	}
	bad := sampleOrder(ana.ID, "")
	_, _, err = s.CreateOrder(ctx, bad)
	wantErr(t, "CreateOrder(no store order id)", err, store.ErrInvalid)
	bad = sampleOrder(ana.ID, "#9")
	bad.Lines[0].Quantity = 0
	_, _, err = s.CreateOrder(ctx, bad)
	wantErr(t, "CreateOrder(quantity 0)", err, store.ErrInvalid)

	// Ownership.
	_, err = s.Order(ctx, bob.ID, o.ID)
	wantErr(t, "Order(another user's)", err, store.ErrNotFound)
	list, err := s.Orders(ctx, ana.ID)
	if err != nil || len(list) != 2 {
		t.Errorf("Orders(ana) = %d orders, %v; want 2", len(list), err)
	}
	if _, err := s.BeginPlacement(ctx, bob.ID, o.ID, "x", time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("BeginPlacement(another user's) err = %v; want ErrNotFound", err)
	}
	upd := o
	upd.UserID = bob.ID
	upd.State = store.OrderChecked
	_, err = s.UpdateOrder(ctx, upd)
	wantErr(t, "UpdateOrder(another user's)", err, store.ErrNotFound)

	// Check, then the intent, then the outcome.
	o.State = store.OrderNeedsAttention
	o.Problems = []store.OrderProblem{{Field: "address.full_name", Message: "needs a space"}}
	o, err = s.UpdateOrder(ctx, o)
	if err != nil || o.State != store.OrderNeedsAttention || len(o.Problems) != 1 || o.Problems[0].Field != "address.full_name" {
		t.Fatalf("UpdateOrder = %+v, %v", o, err)
	}
	clock.Advance(time.Minute)
	placing, err := s.BeginPlacement(ctx, ana.ID, o.ID, "as-1-abc", clock.Now().Add(5*time.Minute))
	if err != nil || placing.State != store.OrderPlacing || placing.OutOrderID != "as-1-abc" || !placing.IntentAt.Equal(us(clock.Now())) ||
		!placing.NextCheckAt.Equal(us(clock.Now().Add(5*time.Minute))) {
		t.Fatalf("BeginPlacement = %+v, %v", placing, err)
	}
	_, err = s.BeginPlacement(ctx, ana.ID, o.ID, "as-1-abc", time.Time{})
	wantErr(t, "BeginPlacement twice", err, store.ErrConflict)

	clock.Advance(time.Minute)
	paid := us(clock.Now())
	placing.State = store.OrderPlaced
	placing.AEOrderIDs = []int64{8100000000000001, 8100000000000002}
	placing.OutcomeAt = paid
	placing.PaidAt = paid
	placing.AmountUSD = 2599
	placing.AEStatus = "WAIT_SELLER_SEND_GOODS"
	placing.NextCheckAt = paid.Add(time.Hour)
	placing.Tracking = []store.OrderTracking{{AEOrderID: 8100000000000001, Carrier: "Cainiao", Number: "LP001", LastEvent: "Accepted", LastEventAt: paid}}
	placed, err := s.UpdateOrder(ctx, placing)
	if err != nil {
		t.Fatal(err)
	}
	placing.UpdatedAt = us(clock.Now())
	placing.Version++
	if diff := cmp.Diff(placing, placed); diff != "" {
		t.Errorf("UpdateOrder returned (-want +got):\n%s", diff)
	}
	if got, err := s.Order(ctx, ana.ID, o.ID); err != nil || !cmp.Equal(got, placed) {
		t.Errorf("Order after UpdateOrder = %+v, %v; want %+v", got, err, placed)
	}
	if _, err := s.BeginPlacement(ctx, ana.ID, o.ID, "as-1-abc", time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("BeginPlacement(placed) err = %v; want ErrConflict", err)
	}
	// A write over a stale read is refused: the order changed since.
	stale := placing
	stale.Version--
	stale.State = store.OrderChecked
	_, err = s.UpdateOrder(ctx, stale)
	wantErr(t, "UpdateOrder(stale version)", err, store.ErrConflict)
	if got, _ := s.Order(ctx, ana.ID, o.ID); got.State != store.OrderPlaced {
		t.Errorf("after a stale write the state is %s; want placed", got.State)
	}
	if got, err := s.OrderByAEOrderID(ctx, 8100000000000002); err != nil || got.ID != o.ID {
		t.Errorf("OrderByAEOrderID = %+v, %v; want order %d", got, err, o.ID)
	}
	_, err = s.OrderByAEOrderID(ctx, 810000000000000)
	wantErr(t, "OrderByAEOrderID(prefix of an id)", err, store.ErrNotFound)

	// Due orders: only open ones whose time has come.
	due, err := s.OrdersDue(ctx, paid.Add(30*time.Minute), 10)
	if err != nil || len(due) != 0 {
		t.Errorf("OrdersDue(before) = %d, %v; want none", len(due), err)
	}
	due, err = s.OrdersDue(ctx, paid.Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].ID != o.ID {
		t.Errorf("OrdersDue(at) = %+v, %v; want the placed order", due, err)
	}

	// Paid totals per user in [from, to).
	bobs.State, bobs.PaidAt, bobs.AmountUSD = store.OrderPlaced, paid.Add(time.Hour), 1000
	if _, err := s.UpdateOrder(ctx, bobs); err != nil {
		t.Fatal(err)
	}
	totals, err := s.PaidOrderTotals(ctx, paid, paid.Add(2*time.Hour))
	wantTotals := []store.UserOrderTotal{{UserID: ana.ID, Orders: 1, AmountUSD: 2599}, {UserID: bob.ID, Orders: 1, AmountUSD: 1000}}
	if err != nil || !cmp.Equal(totals, wantTotals) {
		t.Errorf("PaidOrderTotals = %+v, %v; want %+v", totals, err, wantTotals)
	}
	totals, err = s.PaidOrderTotals(ctx, paid.Add(time.Microsecond), paid.Add(time.Hour))
	if err != nil || len(totals) != 0 {
		t.Errorf("PaidOrderTotals(excluding both ends) = %+v, %v; want none", totals, err)
	}
}

// testBeginPlacementRace checks that of many placers of one order exactly one writes the intent.
func testBeginPlacementRace(t *testing.T, open Opener) {
	s := open(t, store.Options{})
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	o, _, err := s.CreateOrder(ctx, sampleOrder(ana.ID, "#7"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			_, err := s.BeginPlacement(ctx, ana.ID, o.ID, "out-7", time.Time{})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrConflict) {
				t.Errorf("BeginPlacement: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d placers wrote the intent; want 1", wins)
	}
}
