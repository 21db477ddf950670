package notify_test

import (
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/notify"
	"github.com/aliscout/aliscout/internal/notify/smtptest"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

func TestParseSMTP(t *testing.T) {
	for _, tc := range []struct {
		url, from string
		want      notify.SMTP
		bad       bool
	}{
		{url: "smtp://ana:s3cret@mail.example:2525", from: "aliscout <noreply@shop.example>",
			want: notify.SMTP{Host: "mail.example", Port: "2525", Username: "ana", Password: "s3cret", From: `"aliscout" <noreply@shop.example>`}},
		{url: "smtp://mail.example", from: "noreply@shop.example",
			want: notify.SMTP{Host: "mail.example", Port: "587", From: "<noreply@shop.example>"}},
		{url: "smtps://u:p@mail.example", from: "noreply@shop.example",
			want: notify.SMTP{Host: "mail.example", Port: "465", Username: "u", Password: "p", ImplicitTLS: true, From: "<noreply@shop.example>"}},
		{url: "http://mail.example", from: "a@b.example", bad: true},
		{url: "smtp://u:s3cret@", from: "a@b.example", bad: true},
		{url: "smtp://u:s3cret@mail.example", from: "not an address", bad: true},
		{url: "smtp://u:s3cret@mail.example:bad port/", from: "a@b.example", bad: true},
	} {
		got, err := notify.ParseSMTP(tc.url, tc.from)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseSMTP(%q, %q) = %+v; want an error", tc.url, tc.from, got)
			} else if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("ParseSMTP error shows the password: %v", err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSMTP(%q, %q) = %+v, %v; want %+v", tc.url, tc.from, got, err, tc.want)
		}
		if strings.Contains(got.String(), "s3cret") {
			t.Errorf("SMTP.String() = %q shows the password", got.String())
		}
	}
}

func openStore(t *testing.T, clock *storetest.Clock) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "aliscout.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func body(t *testing.T, data string) (mail.Header, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, data)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header, string(b)
}

// TestSendPending: the outbox goes out through SMTP; while the server is down the messages wait,
// with their attempts and errors counted, and go once it is back; none is sent twice.
func TestSendPending(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	st := openStore(t, clock)
	srv := smtptest.New(t)
	cfg, err := notify.ParseSMTP("smtp://ops:pw@"+srv.Addr, "aliscout <noreply@shop.example>")
	if err != nil {
		t.Fatal(err)
	}
	m := notify.NewMailer(st, cfg, notify.MailerOptions{Now: clock.Now, Logger: slog.New(slog.DiscardHandler), Timeout: 5 * time.Second})
	ctx := t.Context()
	if _, err := st.EnqueueEmail(ctx, store.Email{To: "ana@example.com", Subject: "Your AliExpress account ends in 7 days — reconnect",
		Body: "Hello,\nline two with a very long line " + strings.Repeat("x", 100) + "\n"}); err != nil {
		t.Fatal(err)
	}

	srv.Refuse(true)
	if n, err := m.SendPending(ctx); n != 0 || err != nil {
		t.Fatalf("SendPending(server down) = %d, %v; want 0, nil", n, err)
	}
	all, _ := st.Emails(ctx, 10)
	if len(all) != 1 || all[0].Attempts != 1 || !strings.Contains(all[0].LastError, "421") || !all[0].SentAt.IsZero() ||
		!all[0].NextAttemptAt.Equal(clock.Now().Add(notify.Backoff(1))) {
		t.Fatalf("after a failed attempt the outbox holds %+v; want 1 attempt, the 421 kept, retry after %v", all, notify.Backoff(1))
	}
	// Not due yet: nothing is tried.
	if n, err := m.SendPending(ctx); n != 0 || err != nil {
		t.Errorf("SendPending before the retry time = %d, %v", n, err)
	}
	srv.Refuse(false)
	clock.Advance(notify.Backoff(1))
	if n, err := m.SendPending(ctx); n != 1 || err != nil {
		t.Fatalf("SendPending(server back) = %d, %v; want 1", n, err)
	}
	if n, err := m.SendPending(ctx); n != 0 || err != nil {
		t.Errorf("SendPending again = %d, %v; want nothing more", n, err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages; want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "noreply@shop.example" || len(got.To) != 1 || got.To[0] != "ana@example.com" || got.Auth != "ops" {
		t.Errorf("envelope = %+v; want from noreply@shop.example to ana@example.com as ops", got)
	}
	if got.Subject != "Your AliExpress account ends in 7 days — reconnect" {
		t.Errorf("subject = %q", got.Subject)
	}
	h, text := body(t, got.Data)
	if h.Get("To") != "ana@example.com" || h.Get("Content-Type") != `text/plain; charset="utf-8"` {
		t.Errorf("headers = %v", h)
	}
	if want := "Hello,\r\nline two with a very long line " + strings.Repeat("x", 100) + "\r\n"; text != want {
		t.Errorf("body = %q; want %q", text, want)
	}
	all, _ = st.Emails(ctx, 10)
	if all[0].SentAt.IsZero() || all[0].Attempts != 1 {
		t.Errorf("after sending the outbox holds %+v; want it sent, its failed attempt still counted", all[0])
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {5, 16 * time.Minute}, {20, 6 * time.Hour}, {1000, 6 * time.Hour}} {
		if got := notify.Backoff(tc.n); got != tc.want {
			t.Errorf("Backoff(%d) = %v; want %v", tc.n, got, tc.want)
		}
	}
}
