package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// user is one signed-in dropshipper: a cookie jar with their session, their saved list, and the
// products they have seen.
type user struct {
	base      string
	connected bool // their AliExpress account is connected (OAuth with the simulator)
	email     string
	client    *http.Client
	list      int64
	seen      []int64
	items     []int64
	orders    []int64 // the ids of the orders they imported
	orderSeq  int
	lost      atomic.Int64 // answers that said the session was gone
	rng       *rand.Rand
	zipf      *rand.Zipf
}

// queries are what users search for; a Zipf draw over them gives the repeats real traffic has.
var queries = func() []string {
	nouns := []string{"phone case", "led strip", "yoga mat", "dog collar", "car charger", "earbuds",
		"kitchen scale", "hair clip", "watch band", "desk lamp", "backpack", "sunglasses", "baby bib",
		"garden hose", "bike light", "mouse pad", "wall sticker", "ring light", "silicone mold", "socks"}
	adjs := []string{"", "wireless ", "cute ", "waterproof ", "mini ", "magnetic ", "usb ", "kids ",
		"leather ", "pink ", "black ", "foldable ", "portable ", "vintage ", "smart ", "bamboo ",
		"luxury ", "cotton ", "metal ", "rgb "}
	var q []string
	for _, a := range adjs {
		for _, n := range nouns {
			q = append(q, a+n)
		}
	}
	return q
}()

func signUp(ctx context.Context, base string, n, connectEvery int) ([]*user, error) {
	users := make([]*user, n)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8) // argon2id is meant to be slow
	run := time.Now().UnixNano()
	for i := range users {
		g.Go(func() error {
			jar, _ := cookiejar.New(nil)
			rng := rand.New(rand.NewPCG(uint64(run), uint64(i)))
			u := &user{base: base, email: fmt.Sprintf("user%d-%d@load.example", i, run%100000), rng: rng,
				client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
					CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
			u.zipf = rand.NewZipf(rng, 1.1, 2, uint64(len(queries)-1))
			form := url.Values{"email": {u.email}, "password": {"load-test-password-1"}, "password_confirm": {"load-test-password-1"}}
			code, _, err := u.do(ctx, "POST", "/signup", "application/x-www-form-urlencoded", form.Encode())
			if err != nil || code != http.StatusSeeOther {
				return fmt.Errorf("sign-up of %s: %d %v", u.email, code, err)
			}
			code, body, err := u.do(ctx, "POST", "/api/lists", "application/json", `{"name":"Load test"}`)
			if err != nil || code != http.StatusCreated {
				return fmt.Errorf("new list of %s: %d %v %s", u.email, code, err, body)
			}
			var l struct{ ID int64 }
			json.Unmarshal(body, &l)
			u.list = l.ID
			if connectEvery > 0 && i%connectEvery == 0 {
				if err := u.connect(ctx, fmt.Sprintf("load%03d", i)); err != nil {
					return fmt.Errorf("%s: %w", u.email, err)
				}
			}
			users[i] = u
			return nil
		})
	}
	return users, g.Wait()
}

func (u *user) do(ctx context.Context, method, path, contentType, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusUnauthorized ||
		(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/signin")) {
		u.lost.Add(1)
	}
	return resp.StatusCode, b, err
}

// connect connects the user's AliExpress account the way a browser does: aliscout sends it to the
// platform's authorization page (the simulator's, through the gateway hop), the buyer approves, and
// the platform sends it back to aliscout's callback with a code.
func (u *user) connect(ctx context.Context, nick string) error {
	code, _, loc, err := u.redirect(ctx, "GET", u.base+"/connect/aliexpress", "")
	if err != nil || loc == "" {
		return fmt.Errorf("connect: %d %v", code, err)
	}
	auth, err := url.Parse(loc)
	if err != nil {
		return err
	}
	form := auth.Query()
	form.Set("action", "approve")
	form.Set("user_nick", nick)
	approve := *auth
	approve.RawQuery = ""
	code, _, loc, err = u.redirect(ctx, "POST", approve.String(), form.Encode())
	if err != nil || loc == "" {
		return fmt.Errorf("approve: %d %v", code, err)
	}
	code, body, _, err := u.redirect(ctx, "GET", loc, "")
	if err != nil || code >= 400 {
		return fmt.Errorf("callback: %d %v %.200s", code, err, body)
	}
	u.connected = true
	return nil
}

// redirect makes one request to an absolute URL and returns the status, body and Location.
func (u *user) redirect(ctx context.Context, method, target, form string) (int, []byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(form))
	if err != nil {
		return 0, nil, "", err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	loc := resp.Header.Get("Location")
	if loc != "" {
		if l, err := resp.Request.URL.Parse(loc); err == nil {
			loc = l.String()
		}
	}
	return resp.StatusCode, b, loc, nil
}

// features says which optional parts of the mix this build has.
type features struct{ watches, orders bool }

func probe(ctx context.Context, u *user) features {
	var f features
	if code, _, err := u.do(ctx, "GET", "/api/watches", "", ""); err == nil && code == http.StatusOK {
		f.watches = true
	}
	if code, _, err := u.do(ctx, "GET", "/api/orders", "", ""); err == nil && code == http.StatusOK {
		f.orders = true
	}
	return f
}

// action is one kind of thing a user does, with its weight in the mix.
type action struct {
	route  string
	weight int
	needs  func(features) bool
	run    func(ctx context.Context, u *user) (code int, err error)
}

var mix = []action{
	{"GET /search", 18, nil, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", "/search?q="+url.QueryEscape(u.query()), "", "")
		return code, err
	}},
	{"GET /api/search", 16, nil, func(ctx context.Context, u *user) (int, error) {
		code, body, err := u.do(ctx, "GET", "/api/search?q="+url.QueryEscape(u.query()), "", "")
		if err == nil && code == http.StatusOK {
			var r struct{ Products []struct{ ID json.Number } }
			if json.Unmarshal(body, &r) == nil {
				for _, p := range r.Products[:min(len(r.Products), 6)] {
					if id, err := p.ID.Int64(); err == nil {
						u.saw(id)
					}
				}
			}
		}
		return code, err
	}},
	{"GET /products/{id}", 15, nil, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", fmt.Sprintf("/products/%d", u.product(ctx)), "", "")
		return code, err
	}},
	{"GET /api/products/{id}", 10, nil, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", fmt.Sprintf("/api/products/%d", u.product(ctx)), "", "")
		return code, err
	}},
	{"POST /api/lists/{id}/items", 8, nil, func(ctx context.Context, u *user) (int, error) {
		code, body, err := u.do(ctx, "POST", fmt.Sprintf("/api/lists/%d/items", u.list), "application/json",
			fmt.Sprintf(`{"product_id": %d, "country": "US", "rule": "x2.5 .99"}`, u.product(ctx)))
		if err == nil && (code == http.StatusCreated || code == http.StatusOK) {
			var r struct{ ID int64 }
			if json.Unmarshal(body, &r) == nil && r.ID != 0 {
				u.items = append(u.items, r.ID)
			}
		}
		return code, err
	}},
	{"GET /api/lists/{id}", 6, nil, func(ctx context.Context, u *user) (int, error) {
		code, body, err := u.do(ctx, "GET", fmt.Sprintf("/api/lists/%d", u.list), "", "")
		if err == nil && code == http.StatusOK {
			var r struct{ Items []struct{ ID int64 } }
			if json.Unmarshal(body, &r) == nil {
				u.items = u.items[:0]
				for _, it := range r.Items {
					u.items = append(u.items, it.ID)
				}
			}
		}
		return code, err
	}},
	{"DELETE /api/lists/{id}/items/{item}", 3, nil, func(ctx context.Context, u *user) (int, error) {
		if len(u.items) == 0 {
			return 0, errSkip
		}
		i := u.rng.IntN(len(u.items))
		item := u.items[i]
		u.items = append(u.items[:i], u.items[i+1:]...)
		code, _, err := u.do(ctx, "DELETE", fmt.Sprintf("/api/lists/%d/items/%d", u.list, item), "", "")
		if code == http.StatusNotFound { // removed already by an earlier try
			code = http.StatusNoContent
		}
		return code, err
	}},
	{"GET /lists/{id}", 4, nil, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", fmt.Sprintf("/lists/%d", u.list), "", "")
		return code, err
	}},
	{"POST /api/lists/{id}/export", 3, nil, func(ctx context.Context, u *user) (int, error) {
		format := []string{"shopify", "woocommerce", "json"}[u.rng.IntN(3)]
		code, body, err := u.do(ctx, "POST", fmt.Sprintf("/api/lists/%d/export", u.list),
			"application/x-www-form-urlencoded", "format="+format)
		if code == http.StatusBadRequest && len(u.items) == 0 && strings.Contains(string(body), "empty") {
			return 0, errSkip // nothing saved yet: a real user would not export
		}
		if code >= 400 {
			return code, fmt.Errorf("HTTP %d: %.120s", code, body)
		}
		return code, err
	}},
	{"GET /account", 2, nil, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", "/account", "", "")
		return code, err
	}},
	{"POST /api/watches", 3, func(f features) bool { return f.watches }, func(ctx context.Context, u *user) (int, error) {
		code, body, err := u.do(ctx, "POST", "/api/watches", "application/json",
			fmt.Sprintf(`{"product_id": %d, "country": "US", "schedule": "hourly", "rule": "x2.5 .99"}`, u.product(ctx)))
		if code == http.StatusConflict || code == http.StatusUnprocessableEntity || // at the cap
			(code == http.StatusBadRequest && strings.Contains(string(body), "you watch product")) { // watched already
			code = http.StatusOK
		}
		if err == nil && code >= 400 {
			err = fmt.Errorf("HTTP %d: %.160s", code, body)
		}
		return code, err
	}},
	{"GET /api/watches", 3, func(f features) bool { return f.watches }, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", "/api/watches", "", "")
		return code, err
	}},
	{"GET /api/alerts", 2, func(f features) bool { return f.watches }, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", "/api/alerts", "", "")
		return code, err
	}},
	{"GET /api/orders", 3, func(f features) bool { return f.orders }, func(ctx context.Context, u *user) (int, error) {
		code, _, err := u.do(ctx, "GET", "/api/orders", "", "")
		return code, err
	}},
	{"POST /api/orders/{id}/place", 2, func(f features) bool { return f.orders }, func(ctx context.Context, u *user) (int, error) { return u.placeOrder(ctx) }},
	{"GET /api/orders/{id}", 3, func(f features) bool { return f.orders }, func(ctx context.Context, u *user) (int, error) {
		if len(u.orders) == 0 {
			return 0, errSkip
		}
		code, _, err := u.do(ctx, "GET", fmt.Sprintf("/api/orders/%d", u.orders[u.rng.IntN(len(u.orders))]), "", "")
		return code, err
	}},
}

// placeOrder is a store order coming in and being placed with AliExpress: a variant in stock of a
// product the user saw, shipped to a US customer. Only users with a connected account place
// orders. A refusal the user must fix (422: out of stock by now, no shipping) is their business,
// not an error of the service.
func (u *user) placeOrder(ctx context.Context) (int, error) {
	if !u.connected {
		return 0, errSkip
	}
	id := u.product(ctx)
	code, body, err := u.do(ctx, "GET", fmt.Sprintf("/api/products/%d", id), "", "")
	if err != nil || code != http.StatusOK {
		return 0, errSkip
	}
	var p struct {
		Variants []struct {
			Attr  string
			Stock int
		}
	}
	json.Unmarshal(body, &p)
	attr, ok := "", len(p.Variants) == 0
	for _, v := range p.Variants {
		if v.Stock > 2 {
			attr, ok = v.Attr, true
			break
		}
	}
	if !ok {
		return 0, errSkip
	}
	u.orderSeq++
	order := map[string]any{
		"store": "load-test", "store_order_id": fmt.Sprintf("#%d", 1000+u.orderSeq),
		"lines": []map[string]any{{"product_id": fmt.Sprint(id), "sku_attr": attr, "quantity": 1, "store_price": "39.99", "currency": "USD"}},
		"address": map[string]string{"full_name": "Ana Smith", "address": "123 Main Street", "city": "Austin",
			"province": "Texas", "zip": "78701", "country": "US", "phone": "5125550100"},
	}
	b, _ := json.Marshal(order)
	code, body, err = u.do(ctx, "POST", "/api/orders", "application/json", string(b))
	if err != nil || (code != http.StatusCreated && code != http.StatusOK) {
		return code, fmt.Errorf("POST /api/orders: %d %v %.120s", code, err, body)
	}
	var created struct{ ID int64 }
	json.Unmarshal(body, &created)
	u.orders = append(u.orders, created.ID)
	code, body, err = u.do(ctx, "POST", fmt.Sprintf("/api/orders/%d/place", created.ID), "application/json", "{}")
	if code == http.StatusUnprocessableEntity || code == http.StatusConflict {
		return http.StatusOK, err
	}
	if err == nil && code >= 400 {
		err = fmt.Errorf("HTTP %d: %.120s", code, body)
	}
	return code, err
}

var errSkip = fmt.Errorf("nothing to do")

func (u *user) query() string { return queries[u.zipf.Uint64()] }

func (u *user) saw(id int64) {
	if len(u.seen) >= 40 {
		u.seen = u.seen[1:]
	}
	u.seen = append(u.seen, id)
}

// product is one the user saw in a search, or a search's first result when they saw none yet.
func (u *user) product(ctx context.Context) int64 {
	if len(u.seen) == 0 {
		_, body, err := u.do(ctx, "GET", "/api/search?q="+url.QueryEscape(u.query()), "", "")
		if err == nil {
			var r struct{ Products []struct{ ID json.Number } }
			if json.Unmarshal(body, &r) == nil {
				for _, p := range r.Products {
					if id, err := p.ID.Int64(); err == nil {
						u.saw(id)
					}
				}
			}
		}
		if len(u.seen) == 0 {
			return 1005001000000001
		}
	}
	return u.seen[u.rng.IntN(len(u.seen))]
}

// loop does actions from the mix, with exponential think time, until ctx ends.
func (u *user) loop(ctx context.Context, i int64, think time.Duration, f features, res *results) {
	var acts []action
	total := 0
	for _, a := range mix {
		if a.needs == nil || a.needs(f) {
			acts = append(acts, a)
			total += a.weight
		}
	}
	// Stagger the start so that users do not arrive in one wave.
	if !sleep(ctx, time.Duration(u.rng.Int64N(int64(think)+1))) {
		return
	}
	for ctx.Err() == nil {
		pick := u.rng.IntN(total)
		var a action
		for _, a = range acts {
			if pick < a.weight {
				break
			}
			pick -= a.weight
		}
		begin := time.Now()
		code, err := a.run(ctx, u)
		if err == errSkip {
			continue
		}
		if ctx.Err() != nil {
			return // the run ended during the request: not a sample
		}
		res.add(a.route, code, err, time.Since(begin))
		if !sleep(ctx, time.Duration(u.rng.ExpFloat64()*float64(think))) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func countSessionLosses(users []*user) int64 {
	var n int64
	for _, u := range users {
		n += u.lost.Load()
	}
	return n
}
