// Package notify tells users things when they are not looking at aliscout: it sends the emails
// of the outbox (store.Outbox) through SMTP with the standard library's net/smtp.
//
// Messages are written to the outbox in the same transaction as whatever they are about, and a
// background job sends them; a mail server that is down delays them, with backoff, and loses
// none. Each failed attempt is counted and its error kept for the operator.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// SMTP is where mail goes and who it is from.
type SMTP struct {
	Host     string // host name or address
	Port     string
	Username string // empty: no authentication
	Password string
	// ImplicitTLS speaks TLS from the first byte (smtps://, usually port 465); otherwise
	// STARTTLS is used whenever the server offers it.
	ImplicitTLS bool
	From        string // the From address
	// TLS is the TLS configuration; nil verifies the server's certificate against Host.
	TLS *tls.Config
}

// ParseSMTP reads ALISCOUT_SMTP_URL (smtp://user:pass@host:port, or smtps:// for TLS from the
// start) and ALISCOUT_MAIL_FROM. Errors never quote the password.
func ParseSMTP(rawURL, from string) (SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return SMTP{}, errors.New("notify: the SMTP URL does not parse; want smtp://user:password@host:port")
	}
	var s SMTP
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.ImplicitTLS = true
	default:
		return SMTP{}, fmt.Errorf("notify: SMTP URL scheme %q; want smtp or smtps", u.Scheme)
	}
	s.Host, s.Port = u.Hostname(), u.Port()
	if s.Host == "" {
		return SMTP{}, errors.New("notify: the SMTP URL has no host")
	}
	if s.Port == "" {
		s.Port = "587"
		if s.ImplicitTLS {
			s.Port = "465"
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(from))
	if err != nil {
		return SMTP{}, fmt.Errorf("notify: mail from %q is not an address", from)
	}
	s.From = addr.String()
	return s, nil
}

// String describes the server without the password.
func (s SMTP) String() string {
	scheme := "smtp"
	if s.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.Username != "" {
		user = s.Username + ":xxxxx@"
	}
	return scheme + "://" + user + net.JoinHostPort(s.Host, s.Port)
}

// Mailer sends the outbox.
type Mailer struct {
	st     store.Outbox
	smtp   SMTP
	now    func() time.Time
	logger *slog.Logger
	// Batch is how many messages one SendPending takes at most; default 50.
	batch   int
	timeout time.Duration
}

// MailerOptions configure a Mailer. Zero fields take defaults.
type MailerOptions struct {
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger     // default slog.Default()
	Batch   int              // messages per SendPending; default 50
	Timeout time.Duration    // per message, dial to QUIT; default 30 s
}

// NewMailer returns a Mailer that sends st's outbox through server.
func NewMailer(st store.Outbox, server SMTP, opts MailerOptions) *Mailer {
	m := &Mailer{st: st, smtp: server, now: opts.Now, logger: opts.Logger, batch: opts.Batch, timeout: opts.Timeout}
	if m.now == nil {
		m.now = time.Now
	}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.batch <= 0 {
		m.batch = 50
	}
	if m.timeout <= 0 {
		m.timeout = 30 * time.Second
	}
	return m
}

// Backoff is the wait after a message's nth failed attempt: 1, 2, 4 … minutes, at most 6 hours.
func Backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// SendPending sends the messages that are due, each once, and returns how many went. A message
// the server does not take stays in the outbox for a later attempt (Backoff); that is not an
// error of SendPending, whose errors are the store's.
func (m *Mailer) SendPending(ctx context.Context) (int, error) {
	sent := 0
	for {
		// Hold them for longer than sending a batch can take, so no other sender takes them.
		batch, err := m.st.ClaimEmails(ctx, m.batch, time.Duration(m.batch+1)*m.timeout)
		if err != nil {
			return sent, fmt.Errorf("notify: %w", err)
		}
		for _, e := range batch {
			if err := m.send(ctx, e); err != nil {
				retry := m.now().Add(Backoff(e.Attempts + 1))
				m.logger.WarnContext(ctx, "mail not sent; will retry", "email_id", e.ID, "attempt", e.Attempts+1,
					"retry_at", retry, "error", err)
				if err := m.st.MarkEmailFailed(context.WithoutCancel(ctx), e.ID, err.Error(), retry); err != nil {
					return sent, fmt.Errorf("notify: %w", err)
				}
				continue
			}
			if err := m.st.MarkEmailSent(context.WithoutCancel(ctx), e.ID); err != nil {
				return sent, fmt.Errorf("notify: %w", err)
			}
			sent++
		}
		if len(batch) < m.batch || ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// send delivers one message in a session of its own.
func (m *Mailer) send(ctx context.Context, e store.Email) (err error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	s := m.smtp
	addr := net.JoinHostPort(s.Host, s.Port)
	tlsConfig := s.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	var conn net.Conn
	if s.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("%s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName(s.From)); err != nil {
		return fmt.Errorf("%s: EHLO: %w", addr, err)
	}
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("%s: STARTTLS: %w", addr, err)
			}
		}
	}
	if s.Username != "" {
		// PlainAuth refuses to send the password without TLS, except to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("%s: AUTH: %w", addr, err)
		}
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("%s: MAIL FROM: %w", addr, err)
	}
	if err := c.Rcpt(e.To); err != nil {
		return fmt.Errorf("%s: RCPT TO: %w", addr, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("%s: DATA: %w", addr, err)
	}
	if _, err := w.Write(m.message(e)); err != nil {
		return fmt.Errorf("%s: DATA: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: DATA: %w", addr, err)
	}
	if err := c.Quit(); err != nil {
		// The message was accepted at the end of DATA; a failed QUIT loses nothing.
		m.logger.DebugContext(ctx, "SMTP QUIT failed", "error", err)
	}
	return nil
}

// message renders e as an RFC 5322 message: UTF-8 text, quoted-printable, headers encoded.
func (m *Mailer) message(e store.Email) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	domain := "aliscout.invalid"
	if a, err := mail.ParseAddress(m.smtp.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", m.smtp.From)
	header("To", e.To)
	header("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	header("Date", m.now().UTC().Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<%d.%s@%s>", e.ID, hex.EncodeToString(id), domain))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="utf-8"`)
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

// helloName is the name aliscout gives itself in EHLO: the domain of its From address.
func helloName(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			return d
		}
	}
	return "localhost"
}
