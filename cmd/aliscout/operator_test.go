package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
)

// TestReplicasShareTheQuota: two serve processes on one PostgreSQL and one Redis spend one daily
// budget between them; a user over their share is told when it resets while their cached
// searches go on working; the operator sees the figures in the console, a member is refused.
func TestReplicasShareTheQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	dbURL := pgtest.FreshDatabase(t)
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		if os.Getenv("ALISCOUT_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis at 127.0.0.1:6379: %v", err)
		}
		t.Skipf("redis at 127.0.0.1:6379 does not answer (%v): skipping", err)
	} else {
		c.Close()
	}
	// A Redis database of the test's own, so that other tests' counts are not its.
	redisURL := "redis://127.0.0.1:6379/7"
	env := map[string]string{"ALISCOUT_DATABASE_URL": dbURL, "ALISCOUT_REDIS_URL": redisURL,
		"ALISCOUT_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "ALISCOUT_SIGNUP": "open",
		"ALISCOUT_DAILY_BUDGET": "12", "ALISCOUT_QUOTA_RESERVE": "50",
		"ALISCOUT_DATA_DIR": t.TempDir(), "ALISCOUT_LOG_LEVEL": "warn"}
	env["ALISCOUT_CACHE_TTL"] = "search=1h,product=1h,shipping=1h,categories=24h"
	prefix := fmt.Sprintf("t%d-", time.Now().UnixNano())
	t.Cleanup(func() { flushRedisDB(t, "127.0.0.1:6379", 7) })
	flushRedisDB(t, "127.0.0.1:6379", 7)
	replicas := make([]*process, 2)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { replicas[i] = startProcess(t, env) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	a, b := replicas[0].base, replicas[1].base
	signUp := func(base, email string) *user {
		u := newUser(t)
		if code, body := u.form(base+"/signup", url.Values{"email": {email}, "password": {"a long enough pw"},
			"password_confirm": {"a long enough pw"}}); code != http.StatusSeeOther {
			t.Fatalf("sign up %s = %d\n%.400s", email, code, body)
		}
		u.share(base, a)
		u.share(base, b)
		return u
	}
	op := signUp(a, "op@example.com")
	member := signUp(b, "m@example.com")

	// The member searches, on both replicas in turn, until refused.
	made, refusal, refusedOn := 0, "", ""
	var first string
	for i := range 20 {
		base := []string{a, b}[i%2]
		q := url.QueryEscape(fmt.Sprintf("%s phone case %d", prefix, i))
		code, body := member.do("GET", base+"/api/search?q="+q, "", "")
		if code == http.StatusOK {
			if first == "" {
				first = base + "/api/search?q=" + q
			}
			made++
			continue
		}
		refusal, refusedOn = fmt.Sprintf("%d %s", code, body), base
		break
	}
	if made == 0 || !strings.Contains(refusal, "your share") || !strings.Contains(refusal, "resets at") {
		t.Fatalf("after %d searches the member was refused with %q; want some searches, then a message about their share and when it resets", made, refusal)
	}
	// The replica that refused counts it for Prometheus.
	if code, body := op.do("GET", refusedOn+"/metrics", "", ""); code != http.StatusOK || !strings.Contains(body, `aliscout_quota_refused_total{reason="share"} `) ||
		strings.Contains(body, `aliscout_quota_refused_total{reason="share"} 0`) || !strings.Contains(body, "aliscout_cache_calls_saved_total") {
		t.Errorf("GET /metrics on the replica that refused = %d; want a share refusal counted and the calls the cache saved", code)
	}
	// A search answered before is answered from the cache.
	if code, body := member.do("GET", first, "", ""); code != http.StatusOK {
		t.Errorf("a repeated search after the share is spent = %d %.300s; want the cached answer", code, body)
	}
	// The operator's own share is there still.
	if code, body := op.do("GET", a+"/api/search?q="+url.QueryEscape(prefix+" lamp"), "", ""); code != http.StatusOK {
		t.Errorf("the operator's search after the member's share is spent = %d %.300s; want it answered", code, body)
	}
	// Both replicas together made no more calls than the budget.
	code, body := op.do("GET", b+"/api/operator/quota", "", "")
	var q struct {
		Calls  int64
		Budget int64
		Users  []struct {
			Email string
			Calls int64
		}
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &q) != nil {
		t.Fatalf("GET /api/operator/quota = %d %.300s", code, body)
	}
	if q.Budget != 12 || q.Calls == 0 || q.Calls > 12 || len(q.Users) < 2 {
		t.Errorf("the console's quota = %d calls of %d by %+v; want at most the budget of 12, by both users", q.Calls, q.Budget, q.Users)
	}
	code, body = op.do("GET", a+"/api/operator/assessment", "", "")
	if code != http.StatusOK || !strings.Contains(body, `"projected_result"`) || !strings.Contains(body, `"currency":"USD"`) {
		t.Errorf("GET /api/operator/assessment as the operator = %d %.300s", code, body)
	}
	if code, _ := member.do("GET", a+"/api/operator/assessment", "", ""); code != http.StatusForbidden {
		t.Errorf("GET /api/operator/assessment as a member = %d; want 403", code)
	}
	if code, _ := member.do("GET", b+"/operator", "", ""); code != http.StatusForbidden {
		t.Errorf("GET /operator as a member = %d; want 403", code)
	}
}

// flushRedisDB empties one Redis database.
func flushRedisDB(t *testing.T, addr string, db int) {
	c := goredis.NewClient(&goredis.Options{Addr: addr, DB: db})
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("redis FLUSHDB: %v", err)
	}
}
