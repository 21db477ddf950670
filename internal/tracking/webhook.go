package tracking

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// Headers of a webhook delivery. The signature is "sha256=" and the hex HMAC-SHA256 of the body
// with the user's webhook secret; the timestamp is the Unix time of the delivery, also in the body.
const (
	SignatureHeader = "X-Aliscout-Signature"
	TimestampHeader = "X-Aliscout-Timestamp"
)

// Sealer keeps webhook secrets sealed at rest; *vault.Vault is one.
type Sealer interface {
	Seal(plaintext string) (string, error)
	Open(sealed string) (string, error)
}

// Sign returns the signature header's value for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Alerts delivers alerts by webhook and keeps the users' webhook settings.
type Alerts struct {
	st           store.Store
	sealer       Sealer
	client       *http.Client
	now          func() time.Time
	allowPrivate bool
}

// NewAlerts returns the webhook side of alerts. allowPrivate lets webhooks reach private,
// loopback and link-local addresses (for a hook on the same machine or network).
func NewAlerts(st store.Store, sealer Sealer, allowPrivate bool, now func() time.Time) *Alerts {
	if now == nil {
		now = time.Now
	}
	return &Alerts{st: st, sealer: sealer, now: now, allowPrivate: allowPrivate, client: WebhookClient(allowPrivate)}
}

// WebhookClient is an HTTP client that refuses, at dial time, any address that is not public
// unless allowPrivate: the check is on the address actually dialled, so a name that resolves to
// a public address when saved and to a private one later (DNS rebinding) is refused too.
func WebhookClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("webhook: %q is not an address", host)
			}
			if !public(ip) {
				return fmt.Errorf("webhook: %s is not a public address", ip)
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second, MaxIdleConns: 10, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(ip) && !netip.MustParsePrefix("fc00::/7").Contains(ip)
}

// CheckWebhookURL says what is wrong with a webhook URL: it must be http(s) with a host, and
// (unless private addresses are allowed) not an address literal that is private.
func (a *Alerts) CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return catalog.Invalid("url", "the webhook URL must be an http or https URL with a host and no credentials")
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !a.allowPrivate && !public(ip) {
		return catalog.Invalid("url", "the webhook URL points to %s, which is not a public address", ip)
	}
	if u.Hostname() == "localhost" && !a.allowPrivate {
		return catalog.Invalid("url", "the webhook URL points to localhost, which is not a public address")
	}
	return nil
}

// SetWebhook saves the user's webhook URL with a new secret and returns the secret: the only
// time it is shown. An empty URL removes the webhook.
func (a *Alerts) SetWebhook(ctx context.Context, userID int64, rawURL string) (string, error) {
	s, err := a.st.TrackingSettings(ctx, userID)
	if err != nil {
		return "", err
	}
	secret := ""
	if rawURL == "" {
		s.WebhookURL, s.SealedWebhookSecret = "", ""
	} else {
		if err := a.CheckWebhookURL(rawURL); err != nil {
			return "", err
		}
		if a.sealer == nil {
			return "", &catalog.Error{Code: catalog.EConfig, Message: "webhooks need the secret key (ALISCOUT_SECRET_KEY) to keep their secrets"}
		}
		b := make([]byte, 24)
		rand.Read(b)
		secret = "whsec_" + hex.EncodeToString(b)
		sealed, err := a.sealer.Seal(secret)
		if err != nil {
			return "", err
		}
		s.WebhookURL, s.SealedWebhookSecret = rawURL, sealed
	}
	_, err = a.st.SaveTrackingSettings(ctx, s)
	return secret, err
}

// Payload is the JSON body of a webhook delivery.
type Payload struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	ProductID int64           `json:"product_id"`
	WatchID   int64           `json:"watch_id,omitempty"`
	OrderID   int64           `json:"order_id,omitempty"` // for an order's flag: the supplier order
	Message   string          `json:"message"`
	CreatedAt time.Time       `json:"created_at"`
	Timestamp int64           `json:"timestamp"`
	Detail    json.RawMessage `json:"detail,omitempty"`
}

// ErrNoWebhook is returned by Deliver when the user has no webhook (any more): nothing to retry.
var ErrNoWebhook = errors.New("tracking: no webhook")

// Deliver posts the alert to its user's webhook, signed. An error other than ErrNoWebhook or a
// missing alert is worth retrying later.
func (a *Alerts) Deliver(ctx context.Context, alertID int64) error {
	al, err := a.st.Alert(ctx, alertID)
	if err != nil {
		return err
	}
	s, err := a.st.TrackingSettings(ctx, al.UserID)
	if err != nil {
		return err
	}
	if s.WebhookURL == "" || s.SealedWebhookSecret == "" || a.sealer == nil {
		return ErrNoWebhook
	}
	secret, err := a.sealer.Open(s.SealedWebhookSecret)
	if err != nil {
		return fmt.Errorf("tracking: webhook secret of user %d: %w", al.UserID, err)
	}
	now := a.now()
	p := Payload{ID: al.ID, Kind: al.Kind, ProductID: al.ProductID, WatchID: al.WatchID, OrderID: al.OrderID, Message: al.Message,
		CreatedAt: al.CreatedAt, Timestamp: now.Unix()}
	if json.Valid([]byte(al.Detail)) {
		p.Detail = json.RawMessage(al.Detail)
	}
	body, _ := json.Marshal(p)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("tracking: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aliscout-webhook/1")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	req.Header.Set(TimestampHeader, strconv.FormatInt(now.Unix(), 10))
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a token of the user's; do not repeat it
		}
		return fmt.Errorf("tracking: webhook of user %d: %w", al.UserID, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("tracking: webhook of user %d answered %s", al.UserID, resp.Status)
	}
	return nil
}
