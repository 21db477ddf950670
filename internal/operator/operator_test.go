package operator_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/operator"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// fakeOrders holds paid orders at their times and totals them per user as the store will.
type fakeOrders struct {
	orders []fakeOrder
	asked  [][2]time.Time
}

type fakeOrder struct {
	user  int64
	at    time.Time
	cents int64
}

func (f *fakeOrders) PaidOrderTotals(_ context.Context, from, to time.Time) ([]operator.UserOrderTotal, error) {
	f.asked = append(f.asked, [2]time.Time{from, to})
	by := map[int64]*operator.UserOrderTotal{}
	var out []operator.UserOrderTotal
	for _, o := range f.orders {
		if o.at.Before(from) || !o.at.Before(to) {
			continue
		}
		t := by[o.user]
		if t == nil {
			t = &operator.UserOrderTotal{UserID: o.user}
			by[o.user] = t
		}
		t.Orders++
		t.AmountUSD += o.cents
	}
	for _, t := range by {
		out = append(out, *t)
	}
	return out, nil
}

func openStore(t *testing.T) *sqlite.DB {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "op.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedUsers creates n members, the first connected ones with an AliExpress account.
func seedUsers(t *testing.T, db store.Store, n, connected int) []store.User {
	var users []store.User
	for i := range n {
		u, err := db.CreateUser(t.Context(), store.User{Email: fmt.Sprintf("u%d@example.com", i), PasswordHash: "$argon2id$x", Role: store.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		if i < connected {
			_, err := db.SaveConnectedAccount(t.Context(), store.ConnectedAccount{UserID: u.ID, AEUserID: fmt.Sprint(1000 + i),
				SealedAccess: "a", SealedRefresh: "r", KeyID: "k", ReportState: store.ReportNone})
			if err != nil {
				t.Fatal(err)
			}
		}
		users = append(users, u)
	}
	return users
}

func TestAssessment(t *testing.T) {
	db := openStore(t)
	users := seedUsers(t, db, 130, 120)
	var counts []store.QuotaCount
	// December 2026 (GMT+8): users 0-109 made a DS call, 110-119 an affiliate call only (not
	// served), 120-129 DS calls but no connected account (not served).
	for i, u := range users {
		method := "aliexpress.ds.product.get"
		if i >= 110 && i < 120 {
			method = "aliexpress.affiliate.product.query"
		}
		if i%2 == 0 && method != "aliexpress.affiliate.product.query" {
			method = "aliexpress.trade.ds.order.get"
		}
		counts = append(counts, store.QuotaCount{Day: "2026-12-01", UserID: u.ID, Method: method, Kind: "interactive", Calls: 3})
	}
	// November: 50 users on its last day, and calls for no user, which serve nobody.
	for _, u := range users[:50] {
		counts = append(counts, store.QuotaCount{Day: "2026-11-30", UserID: u.ID, Method: "aliexpress.ds.product.get", Kind: "tracking", Calls: 1})
	}
	counts = append(counts, store.QuotaCount{Day: "2026-11-30", UserID: 0, Method: "aliexpress.ds.product.get", Kind: "system", Calls: 9})
	if err := db.RaiseQuotaCounts(t.Context(), counts); err != nil {
		t.Fatal(err)
	}
	orders := &fakeOrders{orders: []fakeOrder{
		// 17:00 UTC on Nov 30 is 01:00 on Dec 1 in GMT+8: December's.
		{users[112].ID, time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), 700_00},
		// 15:00 UTC on Nov 30 is 23:00 on Nov 30 in GMT+8: November's.
		{users[113].ID, time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), 400_00},
		{users[0].ID, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), 350_50},
	}}
	// Dec 11, 00:00 GMT+8: 10 of 31 days have passed.
	now := time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC)
	svc, err := operator.New(operator.Config{Store: db, Orders: orders, Now: func() time.Time { return now }, History: 2})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Assessment(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cur := a.Current
	if cur.Month != "2026-12" || cur.Users != 111 || cur.Orders != 2 || cur.Amount.Amount != 1050_50 || cur.Result != operator.Pass {
		t.Errorf("December = %s: %d users, %d orders, %s %s, %s; want 2026-12: 111 users (110 DS callers and one with an order), 2 orders, 1050.50 USD, pass",
			cur.Month, cur.Users, cur.Orders, cur.Amount.Decimal(), cur.Amount.Currency, cur.Result)
	}
	if want := 10.0 / 31; a.Elapsed < want-1e-9 || a.Elapsed > want+1e-9 {
		t.Errorf("Elapsed = %v; want 10/31", a.Elapsed)
	}
	if a.ProjectedUsers != 344 || a.ProjectedAmount.Decimal() != "3256.55" || a.ProjectedResult != operator.Pass {
		t.Errorf("projection = %d users, %s USD, %s; want 344 (111*31/10), 3256.55, pass", a.ProjectedUsers, a.ProjectedAmount.Decimal(), a.ProjectedResult)
	}
	if len(a.History) != 2 || a.History[0].Month != "2026-11" || a.History[1].Month != "2026-10" {
		t.Fatalf("History = %+v; want November and October", a.History)
	}
	nov := a.History[0]
	if nov.Users != 51 || nov.Amount.Amount != 400_00 || nov.Result != operator.Fail {
		t.Errorf("November = %d users, %s USD, %s; want 51, 400.00, fail", nov.Users, nov.Amount.Decimal(), nov.Result)
	}
	// December is asked for from midnight GMT+8 on Dec 1 to midnight GMT+8 on Jan 1.
	if got, want := orders.asked[0], [2]time.Time{time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)}; !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
		t.Errorf("order totals asked for %v; want %v", got, want)
	}
	if len(a.Warnings) != 1 || a.Warnings[0].Condition != operator.ConditionPreviousFailed {
		t.Errorf("Warnings = %+v; want only that November failed", a.Warnings)
	}
}

func TestResultOf(t *testing.T) {
	tests := []struct {
		users int
		cents int64
		want  operator.Result
	}{
		{1000, 10_000_00, operator.Premium},
		{999, 10_000_00, operator.Pass},
		{5000, 9_999_99, operator.Pass},
		{100, 1_000_00, operator.Pass},
		{99, 50_000_00, operator.Fail},
		{100, 999_99, operator.Fail},
	}
	for _, tt := range tests {
		if got := operator.ResultOf(tt.users, tt.cents); got != tt.want {
			t.Errorf("ResultOf(%d, %d) = %s; want %s", tt.users, tt.cents, got, tt.want)
		}
	}
}

// TestWarningsEmailedOnce: a month projected to fail, after a failed month, emails every
// operator once per condition, however often the job runs, and a new month warns again.
func TestWarningsEmailedOnce(t *testing.T) {
	db := openStore(t)
	op, err := db.CreateFirstUser(t.Context(), store.User{Email: "op@example.com", PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	seedUsers(t, db, 3, 3)
	now := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	svc, _ := operator.New(operator.Config{Store: db, Now: func() time.Time { return now }, PublicURL: "https://scout.example.com"})
	for range 3 {
		if err := svc.SendWarnings(t.Context()); err != nil {
			t.Fatalf("SendWarnings: %v", err)
		}
	}
	mails, err := db.Emails(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 {
		t.Fatalf("%d emails after three runs; want 2 (projected to fail, previous month failed)", len(mails))
	}
	for _, m := range mails {
		if m.To != op.Email || !strings.Contains(m.Subject, "2026-12") || !strings.Contains(m.Body, "https://scout.example.com/operator") {
			t.Errorf("email to %s %q: %q; want one to the operator about 2026-12 with the console's link", m.To, m.Subject, m.Body)
		}
	}
	now = now.AddDate(0, 1, 0)
	if err := svc.SendWarnings(t.Context()); err != nil {
		t.Fatal(err)
	}
	if mails, _ := db.Emails(t.Context(), 10); len(mails) != 4 {
		t.Errorf("%d emails after a new month; want 4", len(mails))
	}
	// Early in a month nothing is projected yet.
	now = time.Date(2027, 3, 1, 0, 0, 0, 0, quota.Zone())
	a, _ := svc.Assessment(t.Context())
	for _, w := range a.Warnings {
		if w.Condition == operator.ConditionProjectedFail {
			t.Errorf("on a month's first day: warning %q; want no projection yet", w.Message)
		}
	}
}

func TestQuotaDay(t *testing.T) {
	db := openStore(t)
	users := seedUsers(t, db, 2, 0)
	now := time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)
	day := quota.Day(now)
	db.RaiseQuotaCounts(t.Context(), []store.QuotaCount{
		{Day: day, UserID: users[0].ID, Method: "aliexpress.ds.product.get", Kind: "tracking", Calls: 50},
		{Day: day, UserID: users[0].ID, Method: "aliexpress.ds.product.get", Kind: "interactive", Calls: 5},
		{Day: day, UserID: users[1].ID, Method: "aliexpress.affiliate.product.query", Kind: "interactive", Calls: 7},
		{Day: day, UserID: 0, Method: "/auth/token/refresh", Kind: "system", Calls: 1},
	})
	svc, _ := operator.New(operator.Config{Store: db, Now: func() time.Time { return now }})
	q, err := svc.QuotaDay(t.Context(), "", quota.NewPolicy(1000, 20, 0), map[string]int{"aliexpress.ds.product.get": 500})
	if err != nil {
		t.Fatal(err)
	}
	if q.Total != 63 || q.Share != 400 || len(q.Users) != 3 || q.Users[0].Email != "u0@example.com" || q.Users[0].Calls != 55 || q.Users[0].ByKind["tracking"] != 50 {
		t.Errorf("QuotaDay = total %d, share %d, users %+v; want 63, 400 ((1000-200)/2), u0 first with 55 (50 tracking)", q.Total, q.Share, q.Users)
	}
	if q.Methods[0].Method != "aliexpress.ds.product.get" || q.Methods[0].Calls != 55 || q.Methods[0].QPS != 500 {
		t.Errorf("Methods[0] = %+v; want aliexpress.ds.product.get, 55 calls, 500 QPS", q.Methods[0])
	}
	// Counts kept in Redis first are ahead of the store's copy: the larger of each shows.
	live := func(_ context.Context, d string) ([]store.QuotaCount, error) {
		return []store.QuotaCount{
			{Day: d, UserID: users[1].ID, Method: "aliexpress.affiliate.product.query", Kind: "interactive", Calls: 9},
			{Day: d, UserID: users[1].ID, Method: "aliexpress.ds.freight.query", Kind: "interactive", Calls: 4},
			{Day: d, UserID: users[0].ID, Method: "aliexpress.ds.product.get", Kind: "tracking", Calls: 10},
		}, nil
	}
	svc2, _ := operator.New(operator.Config{Store: db, Now: func() time.Time { return now }, LiveCounts: live})
	if q, err := svc2.QuotaDay(t.Context(), "", quota.Policy{}, nil); err != nil || q.Total != 69 {
		t.Errorf("QuotaDay with live counts = %d calls, %v; want 69 (63 + 2 more queries + 4 freight)", q.Total, err)
	}
	if _, err := svc.QuotaDay(t.Context(), "yesterday", quota.Policy{}, nil); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("QuotaDay(yesterday) = %v; want an error naming the form", err)
	}
}
