package orders_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/orders"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// clock is shared by the simulator, the client, the store and the service, and moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// platform calls the simulator through the real SDK as the simulator's default buyer.
type platform struct{ c *aliexpress.Client }

func (p platform) Do(ctx context.Context, _ int64, fn func(ctx context.Context, c *aliexpress.Client) error) error {
	return fn(ctx, p.c)
}

type env struct {
	srv   *sandbox.Server
	clock *clock
	st    store.Store
	plat  platform
	svc   *orders.Service
	user  store.User
	// a variant in stock that ships to the US
	productID int64
	attr      string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	srv := sandbox.NewServer(sandbox.Options{LaunchedApp: true, Now: clk.Now})
	t.Cleanup(srv.Close)
	access, _ := srv.IssueToken(sandbox.DefaultUserNick)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret,
		aliexpress.WithGateway(srv.URL), aliexpress.WithClock(clk.Now), aliexpress.WithAccessToken(access),
		aliexpress.WithTimeout(300*time.Millisecond),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxBanWait: 2 * time.Second}),
		aliexpress.WithRandSeed(7))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "aliscout.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := db.CreateUser(t.Context(), store.User{Email: "ana@example.com", PasswordHash: "$argon2id$x", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, clock: clk, st: db, plat: platform{c}, user: u}
	e.svc = e.newService()
	e.productID, e.attr = orderable(t, c, srv.SampleProductIDs(10))
	return e
}

func (e *env) newService() *orders.Service {
	return orders.New(orders.Config{Store: e.st, Platform: e.plat, Now: e.clock.Now})
}

func orderable(t *testing.T, c *aliexpress.Client, ids []int64) (int64, string) {
	t.Helper()
	return orderableTo(t, c, ids, "US")
}

func (e *env) storeOrder(t *testing.T, number string) store.Order {
	t.Helper()
	o, created, err := e.svc.Create(t.Context(), store.Order{UserID: e.user.ID, Store: "myshop", StoreOrderID: number,
		Lines: []store.OrderLine{{ProductID: itoa(e.productID), SKUAttr: e.attr, Quantity: 1, StorePrice: catalog.Money{Amount: 2999, Currency: "USD"}}},
		Address: store.OrderAddress{FullName: "Jane Doe", Address: "100 Main Street", City: "Austin", Province: "Texas",
			Zip: "73301", Country: "us", Phone: "512-555-0100", PhoneCountry: "+1"}})
	if err != nil || !created {
		t.Fatalf("Create = %v, %v", created, err)
	}
	return o
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// followDue runs the follower once and returns order id as it is then.
func (e *env) followDue(t *testing.T, id int64) store.Order {
	t.Helper()
	if _, err := e.svc.FollowDue(t.Context()); err != nil {
		t.Fatalf("FollowDue: %v", err)
	}
	got, err := e.st.Order(t.Context(), e.user.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// simOrders returns the ids of the orders the simulator holds for out.
func (e *env) simOrders(out string) []int64 {
	var ids []int64
	for _, r := range e.srv.Orders() {
		if r.OutOrderID == out {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// wantPlacedOnce checks that the order is placed, the simulator holds exactly one order for its
// out_order_id, and the order records that one.
func (e *env) wantPlacedOnce(t *testing.T, o store.Order) {
	t.Helper()
	got, err := e.st.Order(t.Context(), e.user.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	sim := e.simOrders(orders.OutOrderID(e.user.ID, "myshop", got.StoreOrderID))
	if len(sim) != 1 {
		t.Fatalf("the simulator holds %d orders for %s; want exactly 1", len(sim), got.StoreOrderID)
	}
	if got.State != store.OrderPlaced || !slices.Equal(got.AEOrderIDs, sim) || got.OutcomeAt.IsZero() {
		t.Errorf("order = state %s, AliExpress ids %v, outcome %v (%s); want placed with %v", got.State, got.AEOrderIDs, got.OutcomeAt, got.Message, sim)
	}
}

func TestCheckAndPlace(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.storeOrder(t, "#1001")

	checked, err := e.svc.Check(ctx, e.user.ID, o.ID)
	if err != nil || checked.State != store.OrderChecked || len(checked.Problems) != 0 || checked.Lines[0].LogisticsService == "" {
		t.Fatalf("Check = %+v, %v; want checked with a shipping method", checked, err)
	}
	placed, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if placed.Message != "Placed unpaid: pay it on AliExpress" {
		t.Errorf("Message = %q; want the order unpaid", placed.Message)
	}
	e.wantPlacedOnce(t, o)
	if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); !errors.Is(err, orders.ErrNotPlaceable) {
		t.Errorf("Place again: err = %v; want ErrNotPlaceable", err)
	}
	e.wantPlacedOnce(t, o)
}

func TestPlaceRefusesProblems(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.storeOrder(t, "#1002")
	o.Address.FullName = "Jane"
	o.Lines[0].Quantity = 100000
	if _, err := e.st.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	var pe *orders.ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Field != "address.full_name" || got.State != store.OrderNeedsAttention {
		t.Fatalf("Place(one-word name) = %+v, %v; want the address.full_name problem", got, err)
	}
	o = got
	o.Address.FullName = "Jane Doe"
	if _, err := e.st.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Place(ctx, e.user.ID, o.ID, false)
	if !errors.As(err, &pe) || pe.Problems[0].Field != "lines[0].quantity" {
		t.Fatalf("Place(too many) err = %v; want the lines[0].quantity problem", err)
	}
	if n := len(e.simOrders(orders.OutOrderID(e.user.ID, "myshop", "#1002"))); n != 0 {
		t.Errorf("the simulator holds %d orders; want none", n)
	}
}

// TestPlaceExactlyOnce places orders while ds.order.create fails in every way that leaves the
// outcome unknown; each ends with exactly one AliExpress order.
func TestPlaceExactlyOnce(t *testing.T) {
	const m = "aliexpress.ds.order.create"
	tests := []struct {
		name  string
		fault sandbox.CountedFault
	}{
		{"answer dropped once", sandbox.CountedFault{Method: m, Fault: sandbox.FaultDropAnswer, Times: 1}},
		{"every answer dropped", sandbox.CountedFault{Method: m, Fault: sandbox.FaultDropAnswer, Times: 3}},
		{"timeout", sandbox.CountedFault{Method: m, Fault: sandbox.FaultTimeout, Times: 1, Hold: 2 * time.Second}},
		{"every attempt times out", sandbox.CountedFault{Method: m, Fault: sandbox.FaultTimeout, Times: 3, Hold: 2 * time.Second}},
		{"5xx", sandbox.CountedFault{Method: m, Fault: sandbox.Fault5xx, Times: 1}},
		{"5xx on every attempt", sandbox.CountedFault{Method: m, Fault: sandbox.Fault5xx, Times: 3}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := t.Context()
			o := e.storeOrder(t, "#20"+strconv.Itoa(i+1))
			if err := e.srv.ArmFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
			if err != nil {
				t.Fatalf("Place: %v", err)
			}
			if got.State == store.OrderPlacing {
				// The outcome is unknown; asking again settles it and never places twice.
				if got.Message == "" || !got.OutcomeAt.IsZero() {
					t.Errorf("unknown outcome = %+v; want a message and no outcome", got)
				}
				if got, err = e.svc.Resolve(ctx, e.user.ID, o.ID); err != nil {
					t.Fatalf("Resolve: %v", err)
				}
			}
			if left := e.srv.ArmedFaults(); len(left) != 0 {
				t.Errorf("faults left unused: %+v", left)
			}
			e.wantPlacedOnce(t, o)
			// Asking again changes nothing.
			if _, err := e.svc.Resolve(ctx, e.user.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			e.wantPlacedOnce(t, o)
		})
	}
}

// TestCrashBetweenIntentAndOutcome resolves an intent left without outcome, by a new service on
// the same store: when the call never reached AliExpress, and when it did.
func TestCrashBetweenIntentAndOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()

	// The intent was written and the process died before the call.
	before := e.storeOrder(t, "#3001")
	if _, err := e.svc.Check(ctx, e.user.ID, before.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.BeginPlacement(ctx, e.user.ID, before.ID, orders.OutOrderID(e.user.ID, "myshop", "#3001"), e.clock.Now().Add(orders.ResolveAfter)); err != nil {
		t.Fatal(err)
	}
	// The intent was written, the call made the order, and the process died before the outcome.
	after := e.storeOrder(t, "#3002")
	checked, err := e.svc.Check(ctx, e.user.ID, after.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := orders.OutOrderID(e.user.ID, "myshop", "#3002")
	if _, err := e.st.BeginPlacement(ctx, e.user.ID, after.ID, out, e.clock.Now().Add(orders.ResolveAfter)); err != nil {
		t.Fatal(err)
	}
	res, _, err := e.plat.c.DS.CreateOrder(ctx, &aliexpress.OrderRequest{OutOrderID: out, Address: aliexpress.ShippingAddress{
		FullName: "Jane Doe", Address: "100 Main Street", City: "Austin", Province: "Texas", Country: "US", Zip: "73301"},
		Items: []aliexpress.OrderItem{{ProductID: e.productID, Quantity: 1, SKUAttr: e.attr, LogisticsService: checked.Lines[0].LogisticsService}}})
	if err != nil || len(res.OrderIDs) != 1 {
		t.Fatalf("CreateOrder = %+v, %v", res, err)
	}

	restarted := e.newService()
	// Placing an order whose intent waits is resolving it, never a second placement.
	if _, err := e.st.BeginPlacement(ctx, e.user.ID, after.ID, out, time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("BeginPlacement over an open intent: err = %v; want ErrConflict", err)
	}
	// The follower finds both intents once their check is due, and resolves them by asking.
	if n, err := restarted.FollowDue(ctx); err != nil || n != 0 {
		t.Fatalf("FollowDue before the intents are due = %d, %v; want 0", n, err)
	}
	e.clock.Advance(orders.ResolveAfter)
	if n, err := restarted.FollowDue(ctx); err != nil || n != 2 {
		t.Fatalf("FollowDue after restart = %d, %v; want both intents resolved", n, err)
	}
	for _, o := range []store.Order{before, after} {
		e.wantPlacedOnce(t, o)
		// Place again is refused, and places nothing.
		if _, err := restarted.Place(ctx, e.user.ID, o.ID, false); !errors.Is(err, orders.ErrNotPlaceable) {
			t.Errorf("Place after resolution: err = %v; want ErrNotPlaceable", err)
		}
		e.wantPlacedOnce(t, o)
	}
	if got, _ := e.st.Order(ctx, e.user.ID, after.ID); !slices.Equal(got.AEOrderIDs, res.OrderIDs) {
		t.Errorf("AliExpress ids = %v; want the order the lost call made, %v", got.AEOrderIDs, res.OrderIDs)
	}

	// Past the platform's 24 hours an unknown outcome is never sent again: it waits for the user.
	late := e.storeOrder(t, "#3003")
	if _, err := e.st.BeginPlacement(ctx, e.user.ID, late.ID, orders.OutOrderID(e.user.ID, "myshop", "#3003"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(store.OrderRetryWindow + time.Minute)
	got, err := restarted.Resolve(ctx, e.user.ID, late.ID)
	if err != nil || got.State != store.OrderPlacing || got.Message == "" {
		t.Errorf("Resolve(too late) = %+v, %v; want it left placing with a message", got, err)
	}
	if n := len(e.simOrders(orders.OutOrderID(e.user.ID, "myshop", "#3003"))); n != 0 {
		t.Errorf("the simulator holds %d orders for a late intent; want none", n)
	}
}

// TestFollowToDelivery follows a placed order with the simulator's clock: paid, shipped with a
// tracking number, delivered; the webhook's poke makes it due at once.
func TestFollowToDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.storeOrder(t, "#4001")
	placed, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	if err != nil || len(placed.AEOrderIDs) != 1 {
		t.Fatalf("Place = %+v, %v", placed, err)
	}
	aeID := placed.AEOrderIDs[0]
	follow := func() store.Order { return e.followDue(t, o.ID) }
	e.clock.Advance(2 * time.Minute)
	got := follow()
	if got.State != store.OrderPlaced || got.AEStatus != "PLACE_ORDER_SUCCESS" || !got.PaidAt.IsZero() {
		t.Fatalf("after placing: %s %s paid %v; want placed, awaiting payment", got.State, got.AEStatus, got.PaidAt)
	}
	if !e.srv.PayOrder(aeID) {
		t.Fatal("PayOrder failed")
	}
	// The webhook's poke makes the order due now, however far its next check is.
	if err := e.svc.Poke(ctx, aeID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	got = follow()
	if got.PaidAt.IsZero() || got.AmountUSD <= 0 {
		t.Errorf("after payment: paid %v, amount %d; want paid with an amount", got.PaidAt, got.AmountUSD)
	}
	sawShipped := false
	for range 200 {
		if got.State == store.OrderDelivered {
			break
		}
		e.clock.Advance(12 * time.Hour)
		got = follow()
		if got.State == store.OrderShipped {
			sawShipped = true
			if len(got.Tracking) == 0 {
				t.Fatalf("shipped without a tracking number: %+v", got)
			}
		}
	}
	if !sawShipped {
		t.Error("the order never showed as shipped")
	}
	if got.State != store.OrderDelivered || len(got.Tracking) == 0 || got.Tracking[0].Number == "" || !got.NextCheckAt.IsZero() {
		t.Fatalf("at the end: %+v; want delivered, with a tracking number, no more checks", got)
	}
	if err := e.svc.Poke(ctx, 12345); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Poke(unknown) err = %v; want ErrNotFound", err)
	}
}

// TestRefusalWaitsForTheUser: a refusal is recorded with a plain message and nothing is retried;
// once the cause is fixed the user places it again, and it exists once.
func TestRefusalWaitsForTheUser(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.storeOrder(t, "#5001")
	e.srv.SetBuyerStatus(sandbox.DefaultUserNick, sandbox.BuyerSuspicious)
	got, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	if err != nil || got.State != store.OrderNeedsAttention || !strings.Contains(got.Message, "buyer account") || got.NextCheckAt != (time.Time{}) {
		t.Fatalf("Place with a refused buyer = %+v, %v; want needs_attention with a plain message, no retry", got, err)
	}
	out := orders.OutOrderID(e.user.ID, "myshop", "#5001")
	if n := len(e.simOrders(out)); n != 0 {
		t.Fatalf("the simulator holds %d orders after a refusal; want none", n)
	}
	// The follower leaves it alone.
	e.clock.Advance(time.Hour)
	if n, err := e.svc.FollowDue(ctx); err != nil || n != 0 {
		t.Errorf("FollowDue = %d, %v; want nothing due", n, err)
	}
	e.srv.SetBuyerStatus(sandbox.DefaultUserNick, sandbox.BuyerActive)
	if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); err != nil {
		t.Fatal(err)
	}
	e.wantPlacedOnce(t, o)
}

// TestPlaceWhereCountriesAskMore places orders to countries with their own address rules, each
// typed as a user types it, and checks that what the check passes the platform takes: the tax ID
// of Israel and Argentina goes where the platform wants it, with is_foreigner always said.
func TestPlaceWhereCountriesAskMore(t *testing.T) {
	il := store.OrderAddress{FullName: "Noa Levi", Address: "12 Herzl Street", City: "Tel Aviv", Province: "Tel Aviv",
		Zip: "6100000", Country: "IL", Phone: "050-123-4567", PhoneCountry: "972 ", TaxNumber: "123456782"}
	ar := store.OrderAddress{FullName: "Juan Perez", Address: "Calle 7 1234", City: "La Plata", Province: "Buenos Aires",
		Zip: "1900", Country: "AR", Phone: "221 555 0100", PhoneCountry: "+54", TaxNumber: "20123456786"}
	sa := store.OrderAddress{FullName: "Ahmed Ali", Address: "King Fahd Road 12", City: "Riyadh", Province: "Riyadh",
		Zip: "12345", Country: "SA", Phone: "512345678", PhoneCountry: "(+966)", NatAddr: "rrrd2929"}
	foreign := func(a store.OrderAddress, tax string) store.OrderAddress {
		a.IsForeigner, a.TaxNumber = true, tax
		return a
	}
	tests := []struct {
		name string
		addr store.OrderAddress
		want map[string]any // fields of logistics_address the request must hold; nil for absent
	}{
		{"Israel, local", il, map[string]any{"phone_country": "+972", "is_foreigner": "false", "passport_no": "123456782", "foreigner_passport_no": nil, "tax_number": nil}},
		{"Israel, foreigner", foreign(il, "12345678-2"), map[string]any{"is_foreigner": "true", "foreigner_passport_no": "123456782", "passport_no": nil}},
		{"Argentina, local", ar, map[string]any{"is_foreigner": "false", "passport_no": "20-12345678-6", "mobile_no": "2215550100"}},
		{"Argentina, foreigner", foreign(ar, "20.12345678.6"), map[string]any{"is_foreigner": "true", "foreigner_passport_no": "20-12345678-6"}},
		{"Saudi Arabia", sa, map[string]any{"is_foreigner": nil, "full_name": "Ahmed Ali", "phone_country": "+966"}},
	}
	e := newEnv(t)
	ctx := t.Context()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, attr := orderableTo(t, e.plat.c, e.srv.SampleProductIDs(20), tt.addr.Country)
			o, _, err := e.svc.Create(ctx, store.Order{UserID: e.user.ID, Store: "myshop", StoreOrderID: "#30" + strconv.Itoa(i),
				Lines:   []store.OrderLine{{ProductID: itoa(id), SKUAttr: attr, Quantity: 1, StorePrice: catalog.Money{Amount: 99900, Currency: "USD"}}},
				Address: tt.addr})
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.svc.DryRun(ctx, e.user.ID, o.ID)
			if err != nil || len(d.Problems) != 0 {
				t.Fatalf("DryRun = %+v, %v; want no problems", d.Problems, err)
			}
			var place struct {
				Address map[string]any `json:"logistics_address"`
			}
			if err := json.Unmarshal([]byte(d.Params["param_place_order_request4_open_api_d_t_o"]), &place); err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				if got := place.Address[k]; got != want {
					t.Errorf("logistics_address.%s = %v; want %v", k, got, want)
				}
			}
			if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); err != nil {
				t.Fatalf("Place: %v", err)
			}
			e.wantPlacedOnce(t, o)
		})
	}
}

// orderableTo finds a variant in stock that ships to country.
func orderableTo(t *testing.T, c *aliexpress.Client, ids []int64, country string) (int64, string) {
	t.Helper()
	for _, id := range ids {
		p, _, err := c.DS.Product(t.Context(), id, &aliexpress.DSProductOptions{ShipTo: country})
		if err != nil {
			continue
		}
		for _, v := range p.Variants {
			if v.Stock < 5 {
				continue
			}
			opts, _, err := c.DS.Freight(t.Context(), &aliexpress.FreightQuery{ProductID: p.ID, SKUID: v.SKUID, Quantity: 1, ShipTo: country})
			if err == nil && len(opts) > 0 {
				return p.ID, v.Attr
			}
		}
	}
	t.Fatalf("no sample product ships to %s", country)
	return 0, ""
}

// TestCheckNamesAProvinceThePlatformDoesNotKnow checks the pre-flight of a Brazilian order's state:
// the platform refuses an order whose state is none of ds.address.get's, so the check names it
// first, takes the state by name (accents or not) or code, and reads the list once, not per check.
func TestCheckNamesAProvinceThePlatformDoesNotKnow(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	id, attr := orderableTo(t, e.plat.c, e.srv.SampleProductIDs(20), "BR")
	addr := store.OrderAddress{FullName: "João Silva", Address: "Rua Augusta 100", City: "São Paulo", Province: "Narnia",
		Zip: "01310-100", Country: "BR", Phone: "11 91234 5678", PhoneCountry: "+55", CPF: "529.982.247-25"}
	o, _, err := e.svc.Create(ctx, store.Order{UserID: e.user.ID, Store: "myshop", StoreOrderID: "#4001",
		Lines:   []store.OrderLine{{ProductID: itoa(id), SKUAttr: attr, Quantity: 1, StorePrice: catalog.Money{Amount: 99900, Currency: "USD"}}},
		Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Check(ctx, e.user.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.OrderNeedsAttention || len(got.Problems) != 1 || got.Problems[0].Field != "address.province" ||
		!strings.Contains(got.Problems[0].Message, `"Narnia"`) || !strings.Contains(got.Problems[0].Message, "(AC)") {
		t.Fatalf("Check with state Narnia = %s %+v; want needs_attention with one address.province problem naming it and a state the platform knows", got.State, got.Problems)
	}
	if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); !errors.Is(err, orders.ErrProblems) {
		t.Fatalf("Place with state Narnia = %v; want ErrProblems", err)
	}
	for _, province := range []string{"São Paulo", "sao  paulo", "SP", "sp"} {
		a := addr
		a.Province = province
		if _, err := e.svc.Update(ctx, e.user.ID, o.ID, &a, nil); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Check(ctx, e.user.ID, o.ID)
		if err != nil || got.State != store.OrderChecked || len(got.Problems) != 0 {
			t.Fatalf("Check with state %q = %s %+v, %v; want checked", province, got.State, got.Problems, err)
		}
	}
	if n := e.srv.CallCount("aliexpress.ds.address.get"); n != 1 {
		t.Errorf("ds.address.get was called %d times over five checks; want once", n)
	}
	if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); err != nil {
		t.Fatalf("Place with state sp: %v", err)
	}
	e.wantPlacedOnce(t, o)
}

// TestCheckWithoutTheProvinceListLeavesItToThePlatform checks that when ds.address.get fails the
// pre-flight neither fails nor invents a problem, and the platform's refusal at placement reaches
// the user.
func TestCheckWithoutTheProvinceListLeavesItToThePlatform(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	id, attr := orderableTo(t, e.plat.c, e.srv.SampleProductIDs(20), "BR")
	if err := e.srv.ArmFault(sandbox.CountedFault{Method: "aliexpress.ds.address.get", Fault: sandbox.Fault5xx, Times: 10}); err != nil {
		t.Fatal(err)
	}
	o, _, err := e.svc.Create(ctx, store.Order{UserID: e.user.ID, Store: "myshop", StoreOrderID: "#4002",
		Lines: []store.OrderLine{{ProductID: itoa(id), SKUAttr: attr, Quantity: 1, StorePrice: catalog.Money{Amount: 99900, Currency: "USD"}}},
		Address: store.OrderAddress{FullName: "João Silva", Address: "Rua Augusta 100", City: "São Paulo", Province: "Narnia",
			Zip: "01310-100", Country: "BR", Phone: "11 91234 5678", PhoneCountry: "+55", CPF: "529.982.247-25"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Check(ctx, e.user.ID, o.ID)
	if err != nil || got.State != store.OrderChecked {
		t.Fatalf("Check with ds.address.get failing = %s %+v, %v; want checked, the state left to the platform", got.State, got.Problems, err)
	}
	if n := e.srv.CallCount("aliexpress.ds.address.get"); n == 0 {
		t.Error("ds.address.get was never asked")
	}
	placed, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	if err != nil || placed.State != store.OrderNeedsAttention || !strings.Contains(placed.Message, "State/Province") || len(e.simOrders(placed.OutOrderID)) != 0 {
		t.Errorf("Place = %s %q, %v; want the platform's refusal of the state, no order", placed.State, placed.Message, err)
	}
}
