package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

func money(amount int64, currency string) catalog.Money {
	return catalog.Money{Amount: amount, Currency: currency}
}

func ptr[T any](v T) *T { return &v }

func testLists(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")

	l, err := s.CreateList(ctx, ana.ID, " Summer ")
	if err != nil {
		t.Fatal(err)
	}
	want := store.List{ID: l.ID, OwnerID: ana.ID, Name: "Summer", CreatedAt: us(start), UpdatedAt: us(start)}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("CreateList returned (-want +got):\n%s", diff)
	}
	_, err = s.CreateList(ctx, ana.ID, "Summer")
	wantErr(t, "CreateList(same name)", err, store.ErrConflict)
	_, err = s.CreateList(ctx, ana.ID, "  ")
	wantErr(t, "CreateList(blank)", err, store.ErrInvalid)
	_, err = s.CreateList(ctx, ana.ID+1000, "x")
	wantErr(t, "CreateList(unknown owner)", err, store.ErrNotFound)

	clock.Advance(time.Minute)
	winter := mustList(t, s, ana.ID, "Winter")
	clock.Advance(time.Minute)
	item := store.ListItem{
		ProductID: "1005006123456789", SKUID: "12000037000000001", Country: "FR", PricingRule: "x2.5 charm .99",
		Note: "check the blue one", Title: "Lampe <b>LED</b> «nuit»", ImageURL: "https://ae01.alicdn.com/kf/S1.jpg",
		Price: money(1999, "EUR"),
	}
	saved, added, err := s.SaveItem(ctx, ana.ID, l.ID, item)
	if err != nil || !added {
		t.Fatalf("SaveItem = %+v, %v, %v; want added", saved, added, err)
	}
	wantItem := item
	wantItem.ID, wantItem.ListID, wantItem.Position, wantItem.SavedAt = saved.ID, l.ID, 0, us(clock.Now())
	if diff := cmp.Diff(wantItem, saved); diff != "" {
		t.Errorf("SaveItem returned (-want +got):\n%s", diff)
	}
	items, err := s.Items(ctx, ana.ID, l.ID)
	if err != nil || len(items) != 1 || !cmp.Equal(items[0], saved) {
		t.Errorf("Items = %+v, %v; want [%+v]", items, err, saved)
	}
	// Zero-decimal and three-decimal currencies come back to the minor unit.
	for i, m := range []catalog.Money{money(129900, "JPY"), money(12345, "KWD"), money(0, "")} {
		it, _, err := s.SaveItem(ctx, ana.ID, winter.ID, store.ListItem{ProductID: fmt.Sprint(i), Price: m})
		if err != nil || it.Price != m {
			t.Errorf("SaveItem(price %+v) = %+v, %v", m, it.Price, err)
		}
	}
	for _, bad := range []store.ListItem{
		{Price: money(1, "USD")},
		{ProductID: "1", Price: money(-1, "USD")},
		{ProductID: "1", Price: money(1, "usd")},
		{ProductID: "1", Country: "France"},
	} {
		_, _, err := s.SaveItem(ctx, ana.ID, l.ID, bad)
		wantErr(t, fmt.Sprintf("SaveItem(%+v)", bad), err, store.ErrInvalid)
	}

	got, err := s.List(ctx, ana.ID, l.ID)
	if err != nil || got.ItemCount != 1 || !got.UpdatedAt.Equal(us(clock.Now())) || !got.CreatedAt.Equal(us(start)) {
		t.Errorf("List after SaveItem = %+v, %v; want 1 item, updated now", got, err)
	}
	lists, err := s.Lists(ctx, ana.ID)
	if err != nil || len(lists) != 2 {
		t.Fatalf("Lists = %+v, %v; want 2", lists, err)
	}
	if lists[0].ID != winter.ID || lists[0].ItemCount != 3 || lists[1].ID != l.ID {
		t.Errorf("Lists = %+v; want Winter (3 items, changed last) then Summer", lists)
	}

	clock.Advance(time.Minute)
	renamed, err := s.RenameList(ctx, ana.ID, l.ID, "Summer 2026")
	if err != nil || renamed.Name != "Summer 2026" || renamed.ItemCount != 1 || !renamed.UpdatedAt.Equal(us(clock.Now())) {
		t.Errorf("RenameList = %+v, %v", renamed, err)
	}
	_, err = s.RenameList(ctx, ana.ID, l.ID, "Winter")
	wantErr(t, "RenameList(to a taken name)", err, store.ErrConflict)

	updated, err := s.UpdateItem(ctx, ana.ID, l.ID, saved.ID, store.ItemChanges{Note: ptr(""), Country: ptr("DE")})
	if err != nil || updated.Note != "" || updated.Country != "DE" || updated.PricingRule != item.PricingRule {
		t.Errorf("UpdateItem(clear note, DE) = %+v, %v; want note cleared, DE, rule kept", updated, err)
	}
	_, err = s.UpdateItem(ctx, ana.ID, l.ID, saved.ID, store.ItemChanges{Country: ptr("de")})
	wantErr(t, "UpdateItem(bad country)", err, store.ErrInvalid)
	_, err = s.UpdateItem(ctx, ana.ID, winter.ID, saved.ID, store.ItemChanges{Note: ptr("x")})
	wantErr(t, "UpdateItem(item of another list)", err, store.ErrNotFound)

	wantErr(t, "DeleteList", s.DeleteList(ctx, ana.ID, l.ID), nil)
	_, err = s.List(ctx, ana.ID, l.ID)
	wantErr(t, "List(deleted)", err, store.ErrNotFound)
	_, err = s.Items(ctx, ana.ID, l.ID)
	wantErr(t, "Items(deleted list)", err, store.ErrNotFound)
	wantErr(t, "DeleteList(again)", s.DeleteList(ctx, ana.ID, l.ID), store.ErrNotFound)
}

// testListOwnership: a member asking for another's list, by id, gets ErrNotFound from every method,
// and nothing of the list changes.
func testListOwnership(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	eve := mustUser(t, s, "eve@example.com")
	l := mustList(t, s, ana.ID, "Mine")
	it, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "1", Note: "ana's", Price: money(100, "USD")})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Items(ctx, ana.ID, l.ID)

	_, err = s.List(ctx, eve.ID, l.ID)
	wantErr(t, "List(eve, ana's)", err, store.ErrNotFound)
	_, err = s.Items(ctx, eve.ID, l.ID)
	wantErr(t, "Items(eve, ana's)", err, store.ErrNotFound)
	_, err = s.RenameList(ctx, eve.ID, l.ID, "Eve's now")
	wantErr(t, "RenameList(eve, ana's)", err, store.ErrNotFound)
	_, _, err = s.SaveItem(ctx, eve.ID, l.ID, store.ListItem{ProductID: "2", Price: money(1, "USD")})
	wantErr(t, "SaveItem(eve, ana's)", err, store.ErrNotFound)
	_, err = s.UpdateItem(ctx, eve.ID, l.ID, it.ID, store.ItemChanges{Note: ptr("eve was here")})
	wantErr(t, "UpdateItem(eve, ana's)", err, store.ErrNotFound)
	wantErr(t, "MoveItem(eve, ana's)", s.MoveItem(ctx, eve.ID, l.ID, it.ID, 0), store.ErrNotFound)
	wantErr(t, "DeleteItem(eve, ana's)", s.DeleteItem(ctx, eve.ID, l.ID, it.ID), store.ErrNotFound)
	wantErr(t, "DeleteList(eve, ana's)", s.DeleteList(ctx, eve.ID, l.ID), store.ErrNotFound)
	if lists, _ := s.Lists(ctx, eve.ID); len(lists) != 0 {
		t.Errorf("Lists(eve) = %+v; want none", lists)
	}

	// Eve's own list cannot reach ana's item by its id either.
	mine := mustList(t, s, eve.ID, "Mine")
	_, err = s.UpdateItem(ctx, eve.ID, mine.ID, it.ID, store.ItemChanges{Note: ptr("eve was here")})
	wantErr(t, "UpdateItem(eve's list, ana's item)", err, store.ErrNotFound)
	wantErr(t, "DeleteItem(eve's list, ana's item)", s.DeleteItem(ctx, eve.ID, mine.ID, it.ID), store.ErrNotFound)

	after, err := s.Items(ctx, ana.ID, l.ID)
	if err != nil || !cmp.Equal(before, after) {
		t.Errorf("ana's items changed:\n%s", cmp.Diff(before, after))
	}
	if got, _ := s.List(ctx, ana.ID, l.ID); got.Name != "Mine" {
		t.Errorf("ana's list renamed to %q", got.Name)
	}
}

func testSaveItemUpserts(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	l := mustList(t, s, ana.ID, "L")
	first, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "p1", SKUID: "s1", Country: "US", PricingRule: "x2",
		Note: "keep me", Title: "Old", Price: money(1000, "USD")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "p2", Price: money(5, "USD")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	again, added, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "p1", SKUID: "s1", Title: "New", ImageURL: "https://x/y.jpg",
		Price: money(900, "USD")})
	if err != nil || added {
		t.Fatalf("SaveItem(same product and sku) = %+v, added %v, %v; want an update", again, added, err)
	}
	want := store.ListItem{ID: first.ID, ListID: l.ID, ProductID: "p1", SKUID: "s1", Country: "US", PricingRule: "x2", Note: "keep me",
		Position: 0, Title: "New", ImageURL: "https://x/y.jpg", Price: money(900, "USD"), SavedAt: us(clock.Now())}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("SaveItem(again) (-want +got):\n%s", diff)
	}
	again, _, err = s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "p1", SKUID: "s1", Country: "GB", Note: "new note", Price: money(900, "GBP")})
	if err != nil || again.Country != "GB" || again.Note != "new note" || again.PricingRule != "x2" || again.Price != money(900, "GBP") {
		t.Errorf("SaveItem(new country and note) = %+v, %v", again, err)
	}
	other, added, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "p1", SKUID: "s2", Price: money(1000, "USD")})
	if err != nil || !added || other.Position != 2 {
		t.Errorf("SaveItem(same product, other sku) = %+v, added %v, %v; want a new item at 2", other, added, err)
	}
	if got, _ := s.List(ctx, ana.ID, l.ID); got.ItemCount != 3 {
		t.Errorf("ItemCount = %d; want 3", got.ItemCount)
	}
}

func testMoveAndDeleteItems(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	l := mustList(t, s, ana.ID, "L")
	ids := map[string]int64{}
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		it, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: p, Price: money(1, "USD")})
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = it.ID
	}
	order := func() string {
		t.Helper()
		items, err := s.Items(ctx, ana.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for i, it := range items {
			if it.Position != i {
				t.Errorf("item %s at index %d has position %d", it.ProductID, i, it.Position)
			}
			out += it.ProductID
		}
		return out
	}
	steps := []struct {
		do   func() error
		what string
		want string
	}{
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["d"], 0) }, "move d to 0", "dabce"},
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["d"], 3) }, "move d to 3", "abcde"},
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["a"], 99) }, "move a to 99", "bcdea"},
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["a"], -5) }, "move a to -5", "abcde"},
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["c"], 2) }, "move c to 2", "abcde"},
		{func() error { return s.DeleteItem(ctx, ana.ID, l.ID, ids["b"]) }, "delete b", "acde"},
		{func() error { return s.DeleteItem(ctx, ana.ID, l.ID, ids["e"]) }, "delete e", "acd"},
		{func() error { return s.MoveItem(ctx, ana.ID, l.ID, ids["d"], 1) }, "move d to 1", "adc"},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		if got := order(); got != st.want {
			t.Errorf("after %s order = %s; want %s", st.what, got, st.want)
		}
	}
	wantErr(t, "DeleteItem(deleted)", s.DeleteItem(ctx, ana.ID, l.ID, ids["b"]), store.ErrNotFound)
	wantErr(t, "MoveItem(deleted)", s.MoveItem(ctx, ana.ID, l.ID, ids["b"], 0), store.ErrNotFound)
	it, added, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "f", Price: money(1, "USD")})
	if err != nil || !added || it.Position != 3 {
		t.Errorf("SaveItem after deletes = position %d, %v, %v; want a new item at 3", it.Position, added, err)
	}
}

// testConcurrentSaveItem: many writers saving into one list lose nothing, and the positions stay
// 0..n-1 with no gaps or repeats.
func testConcurrentSaveItem(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	l := mustList(t, s, ana.ID, "Busy")
	const writers, each = 8, 6
	errs := parallel(writers, func(w int) error {
		for i := range each {
			// Every writer also re-saves a shared product: one item, however many save it.
			if _, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "shared", Note: fmt.Sprint(w), Price: money(1, "USD")}); err != nil {
				return err
			}
			if _, _, err := s.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: fmt.Sprintf("w%d-%d", w, i), Price: money(int64(i), "USD")}); err != nil {
				return err
			}
		}
		return nil
	})
	for w, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", w, err)
		}
	}
	items, err := s.Items(ctx, ana.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != writers*each+1 {
		t.Errorf("%d items after %d writers saved %d each and one shared; want %d", len(items), writers, each, writers*each+1)
	}
	var positions []int
	for _, it := range items {
		positions = append(positions, it.Position)
	}
	for i, p := range positions {
		if p != i {
			t.Fatalf("positions = %v; want 0..%d", positions, len(items)-1)
		}
	}
	if !slices.IsSorted(positions) {
		t.Errorf("Items not in position order: %v", positions)
	}
}
