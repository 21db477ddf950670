package aliexpress_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// sbClock is a clock shared by a sandbox and the clients that call it, moved by the test.
type sbClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sbClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *sbClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep moves the clock instead of waiting, for aliexpress.WithSleep.
func (c *sbClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// sbEnv is a running sandbox, its clock, and a client acting for DefaultUserNick.
type sbEnv struct {
	srv   *sandbox.Server
	clock *sbClock
	c     *aliexpress.Client
}

func newSandboxEnv(t *testing.T, opts sandbox.Options) *sbEnv {
	t.Helper()
	clock := &sbClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	opts.Now = clock.Now
	srv := sandbox.NewServer(opts)
	t.Cleanup(srv.Close)
	access, _ := srv.IssueToken(sandbox.DefaultUserNick)
	return &sbEnv{srv: srv, clock: clock, c: sbClient(t, srv, clock, aliexpress.WithAccessToken(access))}
}

func sbClient(t *testing.T, srv *sandbox.Server, clock *sbClock, opts ...aliexpress.Option) *aliexpress.Client {
	t.Helper()
	base := []aliexpress.Option{
		aliexpress.WithGateway(srv.URL),
		aliexpress.WithClock(clock.Now),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxBanWait: 2 * time.Second}),
		aliexpress.WithRandSeed(7),
	}
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// sbOrderable finds a sample product with a variant in stock that ships to the US, and its cheapest
// delivery option.
func sbOrderable(t *testing.T, ds *aliexpress.DSService, ids []int64) (*aliexpress.DSProduct, aliexpress.DSVariant, aliexpress.DeliveryOption) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		p, _, err := ds.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: "US"})
		if err != nil {
			continue
		}
		for _, v := range p.Variants {
			if v.Stock < 5 {
				continue
			}
			opts, _, err := ds.Freight(ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: v.SKUID, Quantity: 1, ShipTo: "US"})
			if err != nil || len(opts) == 0 {
				continue
			}
			return p, v, opts[0]
		}
	}
	t.Fatal("no orderable sample product")
	return nil, aliexpress.DSVariant{}, aliexpress.DeliveryOption{}
}

func sbAddress() aliexpress.ShippingAddress {
	return aliexpress.ShippingAddress{FullName: "Jane Doe", Address: "100 Main Street", City: "Austin", Province: "Texas",
		Country: "US", Zip: "73301", MobileNo: "5125550100", PhoneCountry: "+1"}
}

// TestSandboxDSCatalog runs every read method against the simulator, in each answer shape it can give.
func TestSandboxDSCatalog(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sandbox.Options
	}{
		{"live shapes", sandbox.Options{}},
		{"bare lists and string scalars", sandbox.Options{Wire: sandbox.WireDocSample, RecommendFeedTOPShape: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSandboxEnv(t, tc.opts)
			ds := env.c.DS
			ctx := context.Background()

			ids := env.srv.SampleProductIDs(5)
			if len(ids) == 0 {
				t.Fatal("SampleProductIDs(5) is empty")
			}
			p, v, opt := sbOrderable(t, ds, ids)
			// Product.Currency is the listing's currency (CNY for some China-shipped products); the
			// SKU prices follow the currency asked for, checked below.
			if p.Title == "" || len(p.Images) == 0 || p.Store.ID == 0 || p.Currency == "" {
				t.Errorf("Product(%d) = %+v; want a title, images, a store and a listing currency", p.ID, p)
			}
			if v.SKUID == "" || v.SalePrice.Amount <= 0 || v.SalePrice.Currency != "USD" || v.SalePrice.Amount > v.Price.Amount {
				t.Errorf("variant = %+v; want a SKU ID and 0 < sale price <= list price in USD", v)
			}
			if opt.Code == "" || opt.Fee.Currency != "USD" || opt.MaxDays < opt.MinDays || opt.AvailableStock != v.Stock {
				t.Errorf("delivery option = %+v; want a code, a USD fee, min <= max days and the variant's stock %d", opt, v.Stock)
			}

			eur, _, err := ds.Product(ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "DE", Currency: "EUR"})
			if err == nil && (eur.Variants[0].SalePrice.Currency != "EUR" || eur.ShipTo != "DE") {
				t.Errorf("Product in EUR to DE = %+v", eur.Variants[0])
			}

			for _, id := range env.srv.HostileProductIDs() {
				hp, _, err := ds.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: "US"})
				if err != nil && !errors.Is(err, aliexpress.ErrNotAllowedToCountry) {
					t.Errorf("Product(hostile %d): %v", id, err)
				} else if err == nil && hp.ID != id {
					t.Errorf("Product(hostile %d).ID = %d", id, hp.ID)
				}
			}
			if _, _, err := ds.Product(ctx, 1005000000000001, &aliexpress.DSProductOptions{ShipTo: "US"}); !errors.Is(err, aliexpress.ErrItemNotFound) {
				t.Errorf("Product(unknown) err = %v; want ErrItemNotFound", err)
			}

			page, _, err := ds.TextSearch(ctx, "", &aliexpress.TextSearchOptions{ShipTo: "US", PageSize: 10})
			if err != nil || len(page.Products) == 0 || page.Total < len(page.Products) {
				t.Fatalf("TextSearch = %+v, %v; want products", page, err)
			}
			if sp := page.Products[0]; sp.ID == 0 || sp.SalePrice.Amount <= 0 || sp.URL == "" {
				t.Errorf("TextSearch product = %+v", sp)
			}
			seen := map[int64]bool{}
			n := 0
			for sp, err := range ds.TextSearchAll(ctx, "", &aliexpress.TextSearchOptions{ShipTo: "US", PageSize: 20}) {
				if err != nil {
					t.Fatalf("TextSearchAll: %v", err)
				}
				if seen[sp.ID] {
					t.Errorf("TextSearchAll yielded %d twice", sp.ID)
				}
				seen[sp.ID] = true
				if n++; n == 45 {
					break
				}
			}
			if n != 45 {
				t.Errorf("TextSearchAll gave %d products; want at least 45 over 3 pages", n)
			}

			feeds, _, err := ds.FeedNames(ctx)
			if err != nil || len(feeds) == 0 {
				t.Fatalf("FeedNames = %v, %v", feeds, err)
			}
			feed := feeds[0].Name
			fp, _, err := ds.RecommendFeed(ctx, feed, &aliexpress.RecommendFeedOptions{Country: "US", PageSize: 10})
			if err != nil || len(fp.Products) == 0 || fp.Products[0].SalePrice.Amount <= 0 {
				t.Errorf("RecommendFeed(%q) = %+v, %v", feed, fp, err)
			}
			n = 0
			for _, err := range ds.RecommendFeedAll(ctx, feed, &aliexpress.RecommendFeedOptions{Country: "US", PageSize: 50}) {
				if err != nil {
					t.Fatalf("RecommendFeedAll: %v", err)
				}
				if n++; n > 5000 {
					t.Fatal("RecommendFeedAll does not end")
				}
			}
			if n == 0 || (fp.Total > 0 && n != fp.Total) {
				t.Errorf("RecommendFeedAll gave %d products; want the feed's %d", n, fp.Total)
			}

			ids2 := map[int64]bool{}
			for id, err := range ds.FeedItemIDsAll(ctx, feed, &aliexpress.FeedItemIDsOptions{PageSize: 200}) {
				if err != nil {
					t.Fatalf("FeedItemIDsAll: %v", err)
				}
				if ids2[id] {
					t.Errorf("FeedItemIDsAll yielded %d twice", id)
				}
				ids2[id] = true
				if len(ids2) == 450 { // three pages at 3 calls per second is enough
					break
				}
			}
			if len(ids2) == 0 {
				t.Errorf("FeedItemIDsAll(%q) gave nothing", feed)
			}

			cats, _, err := ds.Categories(ctx, nil)
			if err != nil || len(cats) == 0 {
				t.Fatalf("Categories = %v, %v", cats, err)
			}
			tops := 0
			for _, c := range cats {
				if c.ParentID == 0 {
					tops++
				}
			}
			if tops == 0 || tops == len(cats) {
				t.Errorf("Categories: %d top-level of %d; want a tree", tops, len(cats))
			}

			tree, _, err := ds.Addresses(ctx, "US", nil)
			if err != nil || tree.Country != "US" || len(tree.Children) < 50 || tree.Children[0].Code == "" {
				t.Errorf("Addresses(US) = %+v, %v; want the states with codes", tree, err)
			}

			bs, _, err := ds.MemberBenefits(ctx)
			if err != nil || len(bs) == 0 || bs[0].Code != "auto-pay" || !bs[0].CanBenefit {
				t.Errorf("MemberBenefits = %+v, %v; want auto-pay available", bs, err)
			}
			if _, err := ds.AddInfo(ctx, &aliexpress.DropshipperInfo{StoreURL: "https://shop.example"}); err != nil {
				t.Errorf("AddInfo: %v", err)
			}
			if _, _, err := ds.Freight(ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: "1", ShipTo: "US"}); !errors.Is(err, aliexpress.ErrDeliveryUnavailable) {
				t.Errorf("Freight for an unknown SKU: err = %v; want ErrDeliveryUnavailable", err)
			}
		})
	}
}

func TestSandboxDSProductErrorEnvelope(t *testing.T) {
	env := newSandboxEnv(t, sandbox.Options{ProductErrorsAsErrorResponse: true})
	_, _, err := env.c.DS.Product(context.Background(), 1005000000000001, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrItemNotFound) {
		t.Errorf("Product(unknown) with error_response: err = %v; want ErrItemNotFound", err)
	}
	if n := env.srv.CallCount("aliexpress.ds.product.get"); n != 1 {
		t.Errorf("%d calls; a missing item must not be retried", n)
	}
}

// TestSandboxDSOrderLifecycle places an order, refuses its repetition, and follows it to delivery.
func TestSandboxDSOrderLifecycle(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy wrappers %v", legacy), func(t *testing.T) {
			env := newSandboxEnv(t, sandbox.Options{LaunchedApp: true, LegacyOrderWrappers: legacy})
			ds := env.c.DS
			ctx := context.Background()
			p, v, opt := sbOrderable(t, ds, env.srv.SampleProductIDs(10))

			req := &aliexpress.OrderRequest{
				OutOrderID:  "shop-order-1",
				Address:     sbAddress(),
				Items:       []aliexpress.OrderItem{{ProductID: p.ID, Quantity: 1, SKUAttr: v.Attr, LogisticsService: opt.Code, Memo: "no invoice"}},
				PayCurrency: "USD",
				TryToPay:    true,
			}
			res, _, err := ds.CreateOrder(ctx, req)
			if err != nil {
				t.Fatalf("CreateOrder: %v", err)
			}
			if len(res.OrderIDs) != 1 || res.OrderIDs[0] <= 0 || res.Message != "" {
				t.Fatalf("CreateOrder = %+v; want one order and no message", res)
			}
			id := res.OrderIDs[0]

			if _, _, err := ds.CreateOrder(ctx, req); !errors.Is(err, aliexpress.ErrDuplicateOrder) {
				t.Errorf("CreateOrder with a used OutOrderID: err = %v; want ErrDuplicateOrder", err)
			}

			env.clock.Advance(10 * time.Second)
			o, _, err := ds.Order(ctx, id)
			if err != nil {
				t.Fatalf("Order: %v", err)
			}
			if o.Status != "PAYMENT_PROCESSING" && o.Status != "WAIT_SELLER_SEND_GOODS" {
				t.Errorf("Order status right after paying = %s", o.Status)
			}
			if len(o.Items) != 1 || o.Items[0].ProductID != p.ID || o.Items[0].SKUID != v.SKUID || o.Items[0].Quantity != 1 {
				t.Fatalf("Order items = %+v; want the variant ordered", o.Items)
			}
			// What the order costs is what Product and Freight said it would.
			it := o.Items[0]
			if it.Price != v.SalePrice || it.ActualShippingFee != opt.Fee {
				t.Errorf("Order line price %v + shipping %v; want %v + %v as quoted", it.Price, it.ActualShippingFee, v.SalePrice, opt.Fee)
			}
			if want := (aliexpress.Money{Amount: v.SalePrice.Amount + opt.Fee.Amount, Currency: "USD"}); o.Amount != want {
				t.Errorf("Order amount = %v; want %v", o.Amount, want)
			}
			if _, _, err := ds.Tracking(ctx, id, nil); !errors.Is(err, aliexpress.ErrTrackingNotFound) {
				t.Errorf("Tracking before shipping: err = %v; want ErrTrackingNotFound", err)
			}
			if _, err := ds.SubmitOrderData(ctx, &aliexpress.OrderData{OrderID: id, ProductID: p.ID, SKUInfo: v.Attr,
				ProductAmount: usd(2999), OrderAmount: usd(2999), PaidAt: env.clock.Now(), ProductURL: "https://shop.example/p/1"}); err != nil {
				t.Errorf("SubmitOrderData: %v", err)
			}

			// Move the clock a day at a time: the status only moves forward, and tracking appears
			// once the parcel has left.
			rank := map[string]int{"PLACE_ORDER_SUCCESS": 0, "PAYMENT_PROCESSING": 1, "WAIT_SELLER_SEND_GOODS": 2, "WAIT_BUYER_ACCEPT_GOODS": 3, "FINISH": 4}
			last, sawTracking, events := o.Status, false, 0
			for day := 0; day < 28 && last != "FINISH"; day++ {
				env.clock.Advance(24 * time.Hour)
				o, _, err := ds.Order(ctx, id)
				if err != nil {
					t.Fatalf("day %d: Order: %v", day, err)
				}
				if rank[o.Status] < rank[last] {
					t.Errorf("day %d: status went back from %s to %s", day, last, o.Status)
				}
				last = o.Status
				info, _, err := ds.Tracking(ctx, id, &aliexpress.TrackingOptions{Language: "en_US"})
				switch {
				case errors.Is(err, aliexpress.ErrTrackingNotFound):
					if sawTracking {
						t.Errorf("day %d: tracking disappeared", day)
					}
				case err != nil:
					t.Fatalf("day %d: Tracking: %v", day, err)
				default:
					sawTracking = true
					pk := info.Packages[0]
					if pk.TrackingNumber == "" || len(pk.Events) < events || pk.ETA.IsZero() || len(pk.Items) != 1 {
						t.Errorf("day %d: tracking = %+v; want a number, an ETA and no lost events (had %d)", day, pk, events)
					}
					events = len(pk.Events)
					if o.LogisticsStatus == "WAIT_SELLER_SEND_GOODS" {
						t.Errorf("day %d: tracking before the seller shipped", day)
					}
				}
			}
			if !sawTracking || last != "FINISH" || events == 0 {
				t.Errorf("after four weeks: status %s, tracking seen %v with %d events; want FINISH with tracking", last, sawTracking, events)
			}
		})
	}
}

// TestSandboxDSOrderNeverPlacedTwice checks the retry rule of CreateOrder under injected faults.
func TestSandboxDSOrderNeverPlacedTwice(t *testing.T) {
	const m = "aliexpress.ds.order.create"
	env := newSandboxEnv(t, sandbox.Options{LaunchedApp: true})
	ds := env.c.DS
	ctx := context.Background()
	p, v, opt := sbOrderable(t, ds, env.srv.SampleProductIDs(10))
	order := func(out string) *aliexpress.OrderRequest {
		return &aliexpress.OrderRequest{OutOrderID: out, Address: sbAddress(),
			Items: []aliexpress.OrderItem{{ProductID: p.ID, Quantity: 1, SKUAttr: v.Attr, LogisticsService: opt.Code}}}
	}

	// HTTP 5xx from the front proxy: without an OutOrderID the call is made once.
	env.srv.SetFaults(sandbox.Faults{ErrorRate: 1, Methods: []string{m}})
	before := env.srv.CallCount(m)
	_, resp, err := ds.CreateOrder(ctx, order(""))
	if !errors.Is(err, aliexpress.ErrUnavailable) {
		t.Errorf("CreateOrder under 5xx: err = %v; want ErrUnavailable", err)
	}
	if n := env.srv.CallCount(m) - before; n != 1 || resp.Attempts != 1 {
		t.Errorf("CreateOrder without OutOrderID under 5xx made %d calls (Attempts %d); want 1", n, resp.Attempts)
	}
	// With one it is retried.
	before = env.srv.CallCount(m)
	_, resp, _ = ds.CreateOrder(ctx, order("retry-me"))
	if n := env.srv.CallCount(m) - before; n != 3 || resp.Attempts != 3 {
		t.Errorf("CreateOrder with OutOrderID under 5xx made %d calls (Attempts %d); want 3", n, resp.Attempts)
	}

	// A dropped connection after the order was placed: the retries find the duplicate, and the
	// order exists once.
	env.srv.SetFaults(sandbox.Faults{DropRate: 1, Methods: []string{m}})
	before = env.srv.CallCount(m)
	_, _, err = ds.CreateOrder(ctx, order("dropped-1"))
	if err == nil {
		t.Fatal("CreateOrder with every answer dropped succeeded")
	}
	env.srv.SetFaults(sandbox.Faults{})
	if n := env.srv.CallCount(m) - before; n != 3 {
		t.Errorf("CreateOrder with OutOrderID and every answer dropped made %d calls; want 3 (it is safe to retry)", n)
	}
	_, _, err = ds.CreateOrder(ctx, order("dropped-1"))
	if !errors.Is(err, aliexpress.ErrDuplicateOrder) {
		t.Errorf("CreateOrder again after the drops: err = %v; want ErrDuplicateOrder (the first was placed)", err)
	}
	// The Sandbox's refusal names the order the out_order_id made, so a client can find it.
	var placed []int64
	for _, r := range env.srv.Orders() {
		if r.OutOrderID == "dropped-1" {
			placed = append(placed, r.ID)
		}
	}
	if len(placed) != 1 || err == nil || !strings.Contains(err.Error(), fmt.Sprint(placed[0])) {
		t.Errorf("orders of dropped-1 = %v; refusal %v; want one order, named in the refusal", placed, err)
	}

	// A dropped order without OutOrderID is not sent again.
	env.srv.SetFaults(sandbox.Faults{DropRate: 1, Methods: []string{m}})
	before = env.srv.CallCount(m)
	if _, _, err := ds.CreateOrder(ctx, order("")); err == nil {
		t.Error("CreateOrder with the answer dropped succeeded")
	}
	if n := env.srv.CallCount(m) - before; n != 1 {
		t.Errorf("CreateOrder without OutOrderID and a dropped answer made %d calls; want 1", n)
	}
}

func TestSandboxDSAutoPayRefused(t *testing.T) {
	env := newSandboxEnv(t, sandbox.Options{AutoPayDisabled: true})
	ds := env.c.DS
	ctx := context.Background()
	p, v, opt := sbOrderable(t, ds, env.srv.SampleProductIDs(10))
	res, _, err := ds.CreateOrder(ctx, &aliexpress.OrderRequest{OutOrderID: "autopay-1", Address: sbAddress(), TryToPay: true, PayCurrency: "USD",
		Items: []aliexpress.OrderItem{{ProductID: p.ID, Quantity: 1, SKUAttr: v.Attr, LogisticsService: opt.Code}}})
	if err != nil || len(res.OrderIDs) != 1 || !strings.Contains(res.Message, "autoPay fail") {
		t.Fatalf("CreateOrder without auto-pay = %+v, %v; want the order placed with the payment failure", res, err)
	}
	env.clock.Advance(10 * time.Second) // orders can be read about 10 s after creation
	o, _, err := ds.Order(ctx, res.OrderIDs[0])
	if err != nil || o.Status != "PLACE_ORDER_SUCCESS" || o.PayTimeout <= 0 {
		t.Errorf("unpaid Order = %+v, %v; want PLACE_ORDER_SUCCESS with a pay timeout", o, err)
	}
	bs, _, err := ds.MemberBenefits(ctx)
	if err != nil || len(bs) == 0 || bs[0].CanBenefit {
		t.Errorf("MemberBenefits = %+v, %v; want auto-pay not available", bs, err)
	}
	_, _, err = ds.CreateOrder(ctx, &aliexpress.OrderRequest{OutOrderID: "bad-address", Address: aliexpress.ShippingAddress{
		FullName: "Jane", Address: "100 Main Street", City: "Austin", Province: "Texas", Country: "US", MobileNo: "5125550100"},
		Items: []aliexpress.OrderItem{{ProductID: p.ID, Quantity: 1, SKUAttr: v.Attr}}})
	var e *aliexpress.Error
	if !errors.Is(err, aliexpress.ErrOrderRejected) || !errors.As(err, &e) || e.Code != "B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL" {
		t.Errorf("CreateOrder to a one-word US name: err = %v; want ErrOrderRejected B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL", err)
	}
}
