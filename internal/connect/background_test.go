package connect_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/jobs"
	"github.com/aliscout/aliscout/internal/notify"
	"github.com/aliscout/aliscout/internal/notify/smtptest"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/postgres"
	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

const day = 24 * time.Hour

// replica is one aliscout process: its store handle, job queue, service and mailer.
type replica struct {
	st  store.Store
	q   *jobs.Queue
	svc *connect.Service
}

// startReplica wires a replica as cmd/aliscout does and starts its queue.
func startReplica(t *testing.T, st store.Store, driver jobs.Driver, gw *gateway, clock *storetest.Clock, mail *smtptest.Server) *replica {
	t.Helper()
	w := jobs.NewWorkers()
	q, err := jobs.New(t.Context(), jobs.Config{
		Driver: driver, Workers: w, Logger: slog.New(slog.DiscardHandler),
		Backoff: func(int) time.Duration { return 50 * time.Millisecond }, PollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock),
		Jobs: q, Mail: true, Now: clock.Now})
	smtpCfg, err := notify.ParseSMTP("smtp://"+mail.Addr, "aliscout <noreply@aliscout.example>")
	if err != nil {
		t.Fatal(err)
	}
	jobs.HandleAccounts(w, svc)
	jobs.HandleMail(w, notify.NewMailer(st, smtpCfg, notify.MailerOptions{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)}))
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return &replica{st: st, q: q, svc: svc}
}

// settle waits until no job is waiting, running or retrying on q.
func settle(t *testing.T, q *jobs.Queue) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		busy, err := q.List(t.Context(), 100, jobs.StateAvailable, jobs.StateRunning, jobs.StateRetryable, jobs.StateScheduled)
		if err != nil {
			t.Fatal(err)
		}
		if len(busy) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still busy after 30s: %+v", busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run inserts a job and waits until every job it leads to has finished.
func run(t *testing.T, q *jobs.Queue, args jobs.Args) {
	t.Helper()
	if _, err := q.Insert(t.Context(), args, nil); err != nil {
		t.Fatal(err)
	}
	settle(t, q)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailTo returns the subjects of the messages the server got for addr.
func mailTo(srv *smtptest.Server, addr string) []string {
	var out []string
	for _, m := range srv.Messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			out = append(out, m.Subject)
		}
	}
	return out
}

// TestBackgroundJobs follows two accounts through their lifetimes with the job queue on SQLite:
// the store report reaches the simulator, the refresher renews the access token before it ends
// and gives up on a dead refresh token, and the 7-day, 1-day and ended notices each fire once,
// with exactly one email each.
func TestBackgroundJobs(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, path := openSQLite(t, clock)
	mail := smtptest.New(t)
	db, err := jobs.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := startReplica(t, st, jobs.SQLite(db), gw, clock, mail)
	ctx := t.Context()
	ana, anaSess := mustUser(t, st, "ana@example.com")
	bob, bobSess := mustUser(t, st, "bob@example.com")

	// Connecting reports the store with the account's own token.
	a := connectAccount(t, r.svc, gw, ana, anaSess, "us1000000041sbox", "https://ana-shop.example")
	b := connectAccount(t, r.svc, gw, bob, bobSess, "us1000000042sbox", "")
	settle(t, r.q)
	got, _ := st.ConnectedAccount(ctx, ana.ID, a.ID)
	if got.ReportState != store.ReportReported || !got.ReportedAt.Equal(t0) {
		t.Errorf("report = %s at %v (%q); want reported at %v", got.ReportState, got.ReportedAt, got.ReportMessage, t0)
	}
	if p := gw.addInfo(); len(p) != 1 || p[0] != `{"store_url":"https://ana-shop.example"}` {
		t.Errorf("ds.add.info reached the gateway with %q; want one call with ana's store URL", p)
	}
	for _, c := range gw.Calls() {
		if c.Method == "aliexpress.ds.add.info" && (c.User != "us1000000041sbox" || c.Code != "0") {
			t.Errorf("ds.add.info call = %+v; want made as ana's account, answered with success", c)
		}
	}
	// Nothing to report for bob; a second report job does nothing.
	run(t, r.q, jobs.ReportAccountArgs{AccountID: a.ID})
	if n := len(gw.addInfo()); n != 1 {
		t.Errorf("ds.add.info called %d times; want once", n)
	}

	// A day before the access tokens end: not due yet.
	clock.Set(t0.Add(29 * day))
	run(t, r.q, jobs.RefreshPlanArgs{})
	if n := gw.CallCount("/auth/token/refresh"); n != 0 {
		t.Fatalf("%d refreshes a day before expiry; want none", n)
	}
	// Bob's refresh token is spent elsewhere (revoked, or another installation).
	sealed, _ := st.ConnectedAccount(ctx, bob.ID, b.ID)
	rt, err := testVault(t, 1).Open(sealed.SealedRefresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := newClient(t, gw, clock).OAuth.RefreshToken(ctx, rt); err != nil {
		t.Fatal(err)
	}

	// A minute before they end: both due.
	clock.Set(t0.Add(30*day - time.Minute))
	run(t, r.q, jobs.RefreshPlanArgs{})
	ga, _ := st.ConnectedAccount(ctx, ana.ID, a.ID)
	gb, _ := st.ConnectedAccount(ctx, bob.ID, b.ID)
	if ga.NeedsReconnect || !ga.AccessExpiresAt.Equal(clock.Now().Add(30*day)) || !ga.RefreshExpiresAt.Equal(t0.Add(60*day)) {
		t.Errorf("ana's account after the refresh = access %v, refresh %v, reconnect %v; want access now+30d, refresh end unmoved",
			ga.AccessExpiresAt, ga.RefreshExpiresAt, ga.NeedsReconnect)
	}
	if !gb.NeedsReconnect {
		t.Errorf("bob's account with a dead refresh token is not marked for reconnecting")
	}
	if _, _, err := r.svc.AccessToken(ctx, bob.ID, 0); !errors.Is(err, connect.ErrReconnect) {
		t.Errorf("AccessToken(dead account) = %v; want ErrReconnect", err)
	}
	// Bob hears of it at once, not when his authorization would have ended.
	waitFor(t, "bob's email", func() bool { return len(mailTo(mail, "bob@example.com")) == 1 })
	if got := mailTo(mail, "bob@example.com"); !strings.Contains(got[0], "is disconnected") {
		t.Errorf("bob got %q; want the disconnected notice", got)
	}
	refreshes := gw.CallCount("/auth/token/refresh")
	if refreshes != 3 { // bob's spent one, ana's, bob's refused one
		t.Errorf("%d refresh calls; want 3", refreshes)
	}
	if f, _ := r.q.Failed(ctx, 10); len(f) != 0 {
		t.Errorf("failed jobs: %+v; want none (a dead token is not a failure to retry)", f)
	}
	run(t, r.q, jobs.RefreshPlanArgs{})
	if n := gw.CallCount("/auth/token/refresh"); n != refreshes {
		t.Errorf("a second plan made %d more refresh calls; want none", n-refreshes)
	}

	// The notices, each once however often the job runs, each with one email.
	steps := []struct {
		at        time.Duration
		threshold string
		subject   string
	}{
		{53*day + time.Hour, store.Notice7Days, "within 7 days"},
		{59*day + time.Hour, store.Notice1Day, "within a day"},
		{60 * day, store.NoticeEnded, "is disconnected"},
	}
	for i, step := range steps {
		clock.Set(t0.Add(step.at))
		run(t, r.q, jobs.ExpiryNoticesArgs{})
		run(t, r.q, jobs.ExpiryNoticesArgs{})
		waitFor(t, step.threshold+" email", func() bool { return len(mailTo(mail, "ana@example.com")) >= i+1 })
		settle(t, r.q)
		subjects := mailTo(mail, "ana@example.com")
		if len(subjects) != i+1 || !strings.Contains(subjects[i], step.subject) {
			t.Errorf("after the %s notices ana got %q; want %d emails, the last about %q", step.threshold, subjects, i+1, step.subject)
		}
		if got := mailTo(mail, "bob@example.com"); len(got) != 1 {
			t.Errorf("after the %s notices bob got %q; want only the one saying his account is disconnected", step.threshold, got)
		}
	}
	clock.Set(t0.Add(61 * day))
	run(t, r.q, jobs.ExpiryNoticesArgs{})
	run(t, r.q, jobs.SendMailArgs{})
	if n := len(mail.Messages()); n != 4 {
		t.Errorf("%d emails in all; want 4 (three notices for ana, one for bob)", n)
	}
	notices, err := st.ExpiryNotices(ctx, ana.ID, a.ID)
	if err != nil || len(notices) != 3 {
		t.Errorf("ana's notices = %+v, %v; want 7d, 1d and ended", notices, err)
	}
	if ga, _ := st.ConnectedAccount(ctx, ana.ID, a.ID); !ga.NeedsReconnect {
		t.Errorf("an account whose authorization ended is not marked for reconnecting")
	}
	for _, m := range mail.Messages() {
		if strings.Contains(m.Data, "50000") || strings.Contains(m.Data, "50001") {
			t.Errorf("an email holds something like a token:\n%s", m.Data)
		}
		if !strings.Contains(m.Data, "https://aliscout.example/connect/aliexpress") {
			t.Errorf("an email has no link to reconnect:\n%s", m.Data)
		}
	}
	// Reconnecting starts the notices afresh.
	connectAccount(t, r.svc, gw, ana, anaSess, "us1000000041sbox", "")
	if n, _ := st.ExpiryNotices(ctx, ana.ID, a.ID); len(n) != 0 {
		t.Errorf("notices after reconnecting = %+v; want none", n)
	}
}

// TestReportRefused: a store URL the platform refuses is retried with its message recorded, and
// marked failed on the last attempt.
func TestReportRefused(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, _ := mustUser(t, st, "ana@example.com")
	v := testVault(t, 1)
	at, rt := gw.IssueToken("us1000000051sbox")
	sa, _ := v.Seal(at)
	sr, _ := v.Seal(rt)
	// Saved behind Begin's check, as an older aliscout might have.
	a, err := st.SaveConnectedAccount(ctx, store.ConnectedAccount{UserID: ana.ID, AEUserID: "51", Nick: "us1000000051sbox",
		SealedAccess: sa, SealedRefresh: sr, KeyID: v.SealingKeyID(), AccessExpiresAt: t0.Add(30 * day),
		RefreshExpiresAt: t0.Add(60 * day), StoreURL: "ftp://shop.example", ReportState: store.ReportPending})
	if err != nil {
		t.Fatal(err)
	}
	err = svc.ReportAccount(ctx, a.ID, false)
	got, _ := st.ConnectedAccountByID(ctx, a.ID)
	if err == nil || got.ReportState != store.ReportPending || !strings.Contains(got.ReportMessage, "store_url") {
		t.Errorf("ReportAccount(refused) = %v, state %s, message %q; want an error to retry, pending, the platform's message",
			err, got.ReportState, got.ReportMessage)
	}
	if err := svc.ReportAccount(ctx, a.ID, true); err == nil {
		t.Errorf("ReportAccount(refused, last attempt) = nil; want the error")
	}
	got, _ = st.ConnectedAccountByID(ctx, a.ID)
	if got.ReportState != store.ReportFailed || got.ReportMessage == "" {
		t.Errorf("after the last attempt: state %s, message %q; want failed with the platform's message", got.ReportState, got.ReportMessage)
	}
	if err := svc.ReportAccount(ctx, 99999, false); err != nil {
		t.Errorf("ReportAccount(gone) = %v; want nil", err)
	}
}

// TestTwoReplicasPostgres: two replicas with their own job clients on one PostgreSQL database
// refresh each account once, whether many requests find its token ended at once or both
// planners run, and send one email per notice.
func TestTwoReplicasPostgres(t *testing.T) {
	dbURL := pgtest.FreshDatabase(t)
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	mail := smtptest.New(t)
	var rs []*replica
	for range 2 {
		db, err := postgres.Open(t.Context(), dbURL, store.Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		rs = append(rs, startReplica(t, db, jobs.Postgres(db.Pool()), gw, clock, mail))
	}
	ctx := t.Context()
	var users []store.User
	for i := range 3 {
		u, sess := mustUser(t, rs[0].st, fmt.Sprintf("user%d@example.com", i))
		users = append(users, u)
		connectAccount(t, rs[i%2].svc, gw, u, sess, fmt.Sprintf("us10000000%02dpg", i), fmt.Sprintf("https://shop%d.example", i))
	}
	for _, r := range rs {
		settle(t, r.q)
	}
	if n := gw.successes("aliexpress.ds.add.info"); n != 3 {
		t.Errorf("%d store reports; want 3, one per account", n)
	}

	// Every access token has ended; requests on both replicas find user 0's at once.
	clock.Set(t0.Add(30*day + time.Minute))
	var wg sync.WaitGroup
	toks := make([]string, 16)
	errs := make([]error, 16)
	for i := range toks {
		wg.Go(func() { toks[i], _, errs[i] = rs[i%2].svc.AccessToken(ctx, users[0].ID, 0) })
	}
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Errorf("request %d: %v (same token as the others: %v)", i, errs[i], toks[i] == toks[0])
		}
	}
	if n := gw.CallCount("/auth/token/refresh"); n != 1 {
		t.Errorf("%d refresh calls for one account asked for by 16 requests on 2 replicas; want 1", n)
	}

	// Both planners, twice each, at once.
	for range 2 {
		for _, r := range rs {
			wg.Go(func() {
				if _, err := r.q.Insert(ctx, jobs.RefreshPlanArgs{}, &jobs.InsertOpts{}); err != nil {
					t.Error(err)
				}
				if err := r.svc.PlanRefreshes(ctx); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	waitFor(t, "three refreshes", func() bool { return gw.successes("/auth/token/refresh") >= 3 })
	for _, r := range rs {
		settle(t, r.q)
	}
	if n := gw.CallCount("/auth/token/refresh"); n != 3 {
		t.Errorf("%d refresh calls for 3 accounts; want 3", n)
	}

	// Notices from both replicas at once: one email each.
	clock.Set(t0.Add(53*day + time.Hour))
	for _, r := range rs {
		wg.Go(func() {
			if _, err := r.q.Insert(ctx, jobs.ExpiryNoticesArgs{}, &jobs.InsertOpts{}); err != nil {
				t.Error(err)
			}
			if err := r.svc.SendExpiryNotices(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, r := range rs {
		settle(t, r.q)
		run(t, r.q, jobs.SendMailArgs{})
	}
	if n := len(mail.Messages()); n != 3 {
		t.Errorf("%d emails for 3 notices; want 3", n)
	}
	for i, u := range users {
		if got := mailTo(mail, u.Email); len(got) != 1 {
			t.Errorf("user %d got %q; want one notice", i, got)
		}
	}
	if refreshed := gw.successes("/auth/token/refresh"); refreshed != 3 {
		t.Errorf("%d successful refreshes; want 3", refreshed)
	}
}
