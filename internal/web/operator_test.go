package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/operator"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// fakeJobs is a queue with one failed and one waiting job.
type fakeJobs struct {
	retried, discarded []int64
}

func (f *fakeJobs) Pending(context.Context, int) ([]ConsoleJob, error) {
	return []ConsoleJob{{ID: 7, Kind: "aliscout_refresh_account", State: "retryable", Attempt: 2, MaxAttempts: 8, Errors: []string{"gateway down"}}}, nil
}

func (f *fakeJobs) Failed(context.Context, int) ([]ConsoleJob, error) {
	return []ConsoleJob{{ID: 3, Kind: "aliscout_report_account", Args: `{"account_id":1}`, State: "discarded", Attempt: 5, MaxAttempts: 5,
		Errors: []string{"the platform refused <the store>"}, FinalizedAt: testNow}}, nil
}

func (f *fakeJobs) Webhooks(context.Context, int) ([]ConsoleJob, error) {
	return []ConsoleJob{{ID: 11, Kind: "aliscout_deliver_webhook", Args: `{"alert_id":42}`, State: "retryable", Attempt: 2, MaxAttempts: 8,
		Errors: []string{"an earlier refusal", "the receiver answered 500"}, CreatedAt: testNow}}, nil
}

func (f *fakeJobs) Retry(_ context.Context, id int64) error {
	if id != 3 {
		return store.ErrNotFound
	}
	f.retried = append(f.retried, id)
	return nil
}

func (f *fakeJobs) Discard(_ context.Context, id int64) error {
	f.discarded = append(f.discarded, id)
	return nil
}

type fakeTotals []operator.UserOrderTotal

func (f fakeTotals) PaidOrderTotals(_ context.Context, from, to time.Time) ([]operator.UserOrderTotal, error) {
	if from.Before(testNow) && to.After(testNow) {
		return f, nil
	}
	return nil, nil
}

// consoleEnv is the app with an operator (op@example.com), a member (m@example.com) and the
// console over the same store.
func consoleEnv(t *testing.T) (*acctEnv, *visitor, *visitor, *fakeJobs) {
	t.Helper()
	jobs := &fakeJobs{}
	console := &Console{Policy: quota.NewPolicy(1000, 20, 0), RateLimits: map[string]int{"aliexpress.ds.product.get": 500}, Jobs: jobs,
		Stats: func() ConsoleStats {
			return ConsoleStats{Since: testNow, RateLimited: 4, CacheHits: 75, CacheMisses: 25, CallsSaved: 80}
		}}
	e := newAcctEnv(t, acctSetup{Config: Config{Console: console}})
	op := e.browser("op")
	op.signUp("op@example.com")
	member := e.browser("member")
	member.signUp("m@example.com")
	m, err := e.db.UserByEmail(t.Context(), "m@example.com")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.db.SaveConnectedAccount(t.Context(), store.ConnectedAccount{UserID: m.ID, AEUserID: "9001", Nick: "member-buyer",
		SealedAccess: "sealed-a", SealedRefresh: "sealed-r", KeyID: "k1", ReportState: store.ReportReported})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.MarkConnectedAccountNeedsReconnect(t.Context(), acc.ID); err != nil {
		t.Fatal(err)
	}
	day := quota.Day(testNow)
	if err := e.db.RaiseQuotaCounts(t.Context(), []store.QuotaCount{
		{Day: day, UserID: m.ID, Method: "aliexpress.ds.product.get", Kind: "interactive", Calls: 12},
		{Day: day, UserID: 1, Method: "aliexpress.affiliate.product.query", Kind: "interactive", Calls: 3},
	}); err != nil {
		t.Fatal(err)
	}
	svc, err := operator.New(operator.Config{Store: e.db, Now: e.clock.Now,
		Orders: fakeTotals{{UserID: m.ID, Orders: 2, AmountUSD: 1234_50}}})
	if err != nil {
		t.Fatal(err)
	}
	console.Service = svc
	return e, op, member, jobs
}

func TestOperatorAssessmentAPI(t *testing.T) {
	e, op, member, _ := consoleEnv(t)
	w := op.api(http.MethodGet, "/api/operator/assessment", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/operator/assessment as the operator = %d\n%s", w.Code, w.Body.String())
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// testNow is 2025-03-14 09:26 UTC, 17:26 in GMT+8: March 2025. One user served (the
	// member: a connected account and DS calls); the operator's affiliate calls serve nobody.
	want := map[string]any{
		"month": "2025-03", "users": float64(1), "order_amount": map[string]any{"amount": "1234.50", "currency": "USD"},
		"result": "fail", "projected_result": "fail",
	}
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("assessment %s = %v; want %v", k, got[k], v)
		}
	}
	months, ok := got["months"].([]any)
	if !ok || len(months) != 6 {
		t.Fatalf("months = %v; want the 6 months before", got["months"])
	}
	first := months[0].(map[string]any)
	if first["month"] != "2025-02" || first["result"] != "fail" || first["users"] != float64(0) {
		t.Errorf("months[0] = %v; want February 2025 with no users, failed", first)
	}
	if len(got) != 6 {
		t.Errorf("assessment has fields %v; want exactly month, users, order_amount, result, projected_result, months", got)
	}

	// A member is refused, with the API's error; nobody signed in must sign in first.
	if w := member.api(http.MethodGet, "/api/operator/assessment", ""); w.Code != http.StatusForbidden {
		t.Errorf("GET /api/operator/assessment as a member = %d; want 403", w.Code)
	} else if code, _, _ := jsonError(t, w); code != "forbidden" {
		t.Errorf("a member's error code = %q; want forbidden", code)
	}
	if w := e.api(http.MethodGet, "/api/operator/assessment", "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("GET /api/operator/assessment signed out = %d; want 401", w.Code)
	}
	// An operator's API token works too; a member's does not.
	if w := e.api(http.MethodGet, "/api/operator/assessment", op.createToken("ops"), ""); w.Code != http.StatusOK {
		t.Errorf("GET /api/operator/assessment with the operator's token = %d; want 200", w.Code)
	}
	if w := e.api(http.MethodGet, "/api/operator/assessment", member.createToken("m"), ""); w.Code != http.StatusForbidden {
		t.Errorf("GET /api/operator/assessment with a member's token = %d; want 403", w.Code)
	}
}

func TestOperatorPagesForOperatorsOnly(t *testing.T) {
	e, op, member, _ := consoleEnv(t)
	anon := e.browser("anon")
	for _, path := range []string{"/operator", "/operator/users", "/operator/quota", "/operator/jobs", "/operator/notices", "/api/operator/quota"} {
		w := op.get(path)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s as the operator = %d\n%s", path, w.Code, w.Body.String())
		} else if !strings.HasPrefix(path, "/api/") {
			checkHTML(t, w.Body.String())
		}
		if w := member.get(path); w.Code != http.StatusForbidden {
			t.Errorf("GET %s as a member = %d; want 403", path, w.Code)
		}
		if w := anon.get(path); !strings.HasPrefix(path, "/api/") && (w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/signin")) {
			t.Errorf("GET %s signed out = %d to %q; want the sign-in page", path, w.Code, w.Header().Get("Location"))
		}
	}
	for _, path := range []string{"/operator/users/1/disable", "/operator/jobs/3/retry"} {
		if w := member.post(path, nil); w.Code != http.StatusForbidden {
			t.Errorf("POST %s as a member = %d; want 403", path, w.Code)
		}
	}
	// The operator sees the console in the navigation; a member does not.
	if !checkHTML(t, op.get("/lists").Body.String()).hasAttr("/operator") {
		t.Error("the operator's pages do not link the console")
	}
	if checkHTML(t, member.get("/lists").Body.String()).hasAttr("/operator") {
		t.Error("a member's pages link the console")
	}
}

func TestOperatorAssessmentPage(t *testing.T) {
	_, op, _, _ := consoleEnv(t)
	pt := checkHTML(t, op.get("/operator").Body.String())
	for _, want := range []string{"2025-03 so far", "$1,234.50", "with a connected AliExpress account", "2025-02 failed the DS assessment", "is projected to fail"} {
		if !pt.hasText(want) {
			t.Errorf("the assessment page lacks %q", want)
		}
	}
	if !pt.hasAttr("previous_failed") || !pt.hasAttr("projected_fail") {
		t.Error("the assessment page has no warning banner for a failed previous month, or no projected result")
	}
}

func TestOperatorUsersAndDisable(t *testing.T) {
	e, op, member, _ := consoleEnv(t)
	token := member.createToken("script")
	pt := checkHTML(t, op.get("/operator/users").Body.String())
	for _, want := range []string{"m@example.com", "member-buyer", "must reconnect", "1 reported"} {
		if !pt.hasText(want) {
			t.Errorf("the users page lacks %q", want)
		}
	}
	if strings.Contains(op.get("/operator/users").Body.String(), "sealed-") {
		t.Error("the users page shows a sealed token")
	}
	m, _ := e.db.UserByEmail(t.Context(), "m@example.com")
	w := op.post(fmt.Sprintf("/operator/users/%d/disable", m.ID), url.Values{})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST disable = %d\n%s", w.Code, w.Body.String())
	}
	// At once: the member's session and API token stop working.
	if w := member.get("/lists"); w.Code != http.StatusSeeOther {
		t.Errorf("the disabled member's next page = %d; want the sign-in page", w.Code)
	}
	if w := e.api(http.MethodGet, "/api/lists", token, ""); w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
		t.Errorf("the disabled member's API token = %d; want refused", w.Code)
	}
	if pt := checkHTML(t, op.follow(w).Body.String()); !pt.hasText("(disabled)") {
		t.Error("the users page does not show the user disabled")
	}
	op2, _ := e.db.UserByEmail(t.Context(), "op@example.com")
	if w := op.post(fmt.Sprintf("/operator/users/%d/disable", op2.ID), url.Values{}); w.Code != http.StatusBadRequest {
		t.Errorf("the operator disabling themselves = %d; want 400", w.Code)
	}
	if w := op.post(fmt.Sprintf("/operator/users/%d/enable", m.ID), url.Values{}); w.Code != http.StatusSeeOther {
		t.Errorf("POST enable = %d", w.Code)
	}
	if w := op.post("/operator/users/999/disable", url.Values{}); w.Code != http.StatusNotFound {
		t.Errorf("POST disable of no such user = %d; want 404", w.Code)
	}
}

func TestOperatorQuota(t *testing.T) {
	_, op, _, _ := consoleEnv(t)
	pt := checkHTML(t, op.get("/operator/quota").Body.String())
	for _, want := range []string{"15", "aliexpress.ds.product.get", "500", "m@example.com", "4 ApiCallLimit answers", "75.0%", "80 upstream calls saved"} {
		if !pt.hasText(want) {
			t.Errorf("the quota page lacks %q", want)
		}
	}
	w := op.get("/api/operator/quota")
	var q struct {
		Day     string
		Calls   int64
		Budget  int64
		Share   int64
		Methods []struct {
			Method string
			Calls  int64
			QPS    int
		}
		Users []struct {
			Email string
			Calls int64
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	if q.Calls != 15 || q.Budget != 1000 || q.Share != 400 || len(q.Methods) != 2 || q.Methods[0].QPS != 500 || q.Users[0].Email != "m@example.com" || q.Users[0].Calls != 12 {
		t.Errorf("GET /api/operator/quota = %+v; want 15 calls of 1000, share 400, the member first with 12", q)
	}
	if w := op.get("/api/operator/quota?day=tomorrow"); w.Code != http.StatusBadRequest {
		t.Errorf("GET /api/operator/quota?day=tomorrow = %d; want 400", w.Code)
	}
}

func TestOperatorJobs(t *testing.T) {
	_, op, _, jobs := consoleEnv(t)
	body := op.get("/operator/jobs").Body.String()
	pt := checkHTML(t, body)
	if !pt.hasText("aliscout_report_account") || !pt.hasText("the platform refused <the store>") || !pt.hasText("gateway down") {
		t.Error("the jobs page lacks the failed job, its error or the waiting job")
	}
	if w := op.post("/operator/jobs/3/retry", url.Values{}); w.Code != http.StatusSeeOther || len(jobs.retried) != 1 {
		t.Errorf("POST retry = %d, retried %v", w.Code, jobs.retried)
	}
	if w := op.post("/operator/jobs/9/retry", url.Values{}); w.Code != http.StatusNotFound {
		t.Errorf("POST retry of no such job = %d; want 404", w.Code)
	}
	if w := op.post("/operator/jobs/7/discard", url.Values{}); w.Code != http.StatusSeeOther || len(jobs.discarded) != 1 {
		t.Errorf("POST discard = %d, discarded %v", w.Code, jobs.discarded)
	}
}

func TestOperatorNotices(t *testing.T) {
	e, op, _, _ := consoleEnv(t)
	if _, err := e.db.EnqueueEmail(t.Context(), store.Email{To: "m@example.com", Subject: "Your AliExpress authorization ends soon", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	pt := checkHTML(t, op.get("/operator/notices").Body.String())
	if !pt.hasText("Your AliExpress authorization ends soon") || !pt.hasAttr("waiting") {
		t.Error("the notices page lacks the waiting email")
	}
	if !pt.hasText(`{"alert_id":42}`) || !pt.hasText("the receiver answered 500") || pt.hasText("an earlier refusal") || !pt.hasText("2 of 8") {
		t.Error("the notices page lacks the webhook delivery with its state and latest error")
	}
}
