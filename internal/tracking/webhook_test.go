package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

type testSealer struct{}

func (testSealer) Seal(s string) (string, error) { return "k1:" + s, nil }
func (testSealer) Open(s string) (string, error) { return strings.TrimPrefix(s, "k1:"), nil }

func TestWebhookDelivery(t *testing.T) {
	w := newWorld(t, product(1, 1000))
	ctx := t.Context()
	ana := w.users[0]
	wa := w.watch(t, ana, 1, "")
	al, _, err := w.st.AddAlert(ctx, store.Alert{UserID: ana.ID, WatchID: wa.ID, ProductID: 1, Kind: KindGone, Key: "gone:1",
		Message: "The product is no longer listed on AliExpress.", Detail: `{"kind":"gone"}`})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	status := http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		code := status
		mu.Unlock()
		rw.WriteHeader(code)
	}))
	defer hook.Close()

	// Private addresses are refused when the URL is saved, and at dial time.
	strict := NewAlerts(w.st, testSealer{}, false, nil)
	if _, err := strict.SetWebhook(ctx, ana.ID, hook.URL); catalog.ErrorCode(err) != catalog.EInvalid {
		t.Errorf("SetWebhook(%s) without private addresses = %v; want a field error", hook.URL, err)
	}
	open := NewAlerts(w.st, testSealer{}, true, nil)
	secret, err := open.SetWebhook(ctx, ana.ID, hook.URL+"/hook")
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("SetWebhook = %q, %v", secret, err)
	}
	if set, _ := w.st.TrackingSettings(ctx, ana.ID); !strings.Contains(set.SealedWebhookSecret, "k1:whsec_") {
		t.Errorf("stored secret %q is not the sealed form of the one shown", set.SealedWebhookSecret)
	}
	if err := strict.Deliver(ctx, al.ID); err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Errorf("Deliver to 127.0.0.1 without private addresses = %v; want refused at dial time", err)
	}
	if len(got) != 0 {
		t.Fatalf("the hook was called %d times; want none", len(got))
	}

	if err := open.Deliver(ctx, al.ID); err != nil {
		t.Fatalf("Deliver = %v", err)
	}
	r, body := got[0], bodies[0]
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); r.Header.Get(SignatureHeader) != want || r.Method != "POST" || r.URL.Path != "/hook" {
		t.Errorf("delivery %s %s signature %q; want POST /hook signed %q", r.Method, r.URL.Path, r.Header.Get(SignatureHeader), want)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil || p.Kind != KindGone || p.ProductID != 1 || r.Header.Get(TimestampHeader) == "" {
		t.Errorf("payload = %s, %v", body, err)
	}

	// A receiver that fails is an error to retry; no webhook is nothing to retry.
	mu.Lock()
	status = http.StatusBadGateway
	mu.Unlock()
	if err := open.Deliver(ctx, al.ID); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("Deliver to a failing hook = %v; want an error without the secret", err)
	}
	if _, err := open.SetWebhook(ctx, ana.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := open.Deliver(ctx, al.ID); !errors.Is(err, ErrNoWebhook) {
		t.Errorf("Deliver without a webhook = %v; want ErrNoWebhook", err)
	}
}

func TestDeliveryQueuesEmailAndWebhook(t *testing.T) {
	w := newWorld(t, product(1, 1000, 1100))
	q := &recordQueue{}
	w.tr.opts.Notifier = &Delivery{Queue: q, BaseURL: "https://scout.example"}
	ana := w.users[0]
	w.watch(t, ana, 1, "")
	if _, err := w.st.SaveTrackingSettings(t.Context(), store.TrackingSettings{UserID: ana.ID, EmailAlerts: true,
		WebhookURL: "https://hooks.example/a", SealedWebhookSecret: "k1:x"}); err != nil {
		t.Fatal(err)
	}
	w.day(t)
	w.src.set(1, func(p *catalog.Product) { p.Variants[1].Stock = 0 })
	w.day(t)
	mails, _ := w.st.Emails(t.Context(), 10)
	if len(mails) != 1 || mails[0].To != "u0@example.com" || !strings.Contains(mails[0].Subject, "out of stock") ||
		!strings.Contains(mails[0].Body, "https://scout.example/watches/") {
		t.Errorf("emails = %+v; want one out-of-stock email with a link", mails)
	}
	if len(q.webhooks) != 1 || q.mail != 1 {
		t.Errorf("queued %d webhooks, %d mail runs; want 1 each", len(q.webhooks), q.mail)
	}
}

type recordQueue struct {
	mu       sync.Mutex
	webhooks []int64
	mail     int
}

func (q *recordQueue) EnqueueWebhook(_ context.Context, id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.webhooks = append(q.webhooks, id)
	return nil
}

func (q *recordQueue) EnqueueMail(context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mail++
	return nil
}
