package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The order-status webhook. The platform posts DROPSHIPPER_ORDER_STATUS_UPDATE messages (message
// type 53) to the URL an app registers in its console when a DS order reaches a status:
//
//	{"data":{"buyerId":<n>,"orderId":<n>,"orderStatus":"OrderShipped"},"message_type":53,
//	 "seller_id":"…","site":"ae_global","timestamp":<epoch s>}
//
// with orderStatus one of paymentFailedEvent, OrderCreated, OrderClosed, PaymentAuthorized,
// OrderShipped and OrderConfirmed. How the platform signs these calls is not documented, so the
// Sandbox signs nothing: a receiver must not trust the body, only use it as a cue to read the order
// through the API. Each order's statuses are sent once each, in order, as the Sandbox's clock
// reaches them (a moved clock included), to Options.WebhookURL or the URL SetWebhookURL gave.

// The webhook's order statuses.
const (
	HookOrderCreated      = "OrderCreated"
	HookPaymentFailed     = "paymentFailedEvent"
	HookPaymentAuthorized = "PaymentAuthorized"
	HookOrderShipped      = "OrderShipped"
	HookOrderConfirmed    = "OrderConfirmed"
	HookOrderClosed       = "OrderClosed"
)

// WebhookDelivery is one webhook the Sandbox sent, or tried to send.
type WebhookDelivery struct {
	URL        string
	OrderID    int64
	Status     string // the orderStatus sent
	HTTPStatus int    // the receiver's answer; 0 when it could not be reached
	Attempts   int
	Error      string // why the last attempt failed, when it did
	At         time.Time
}

// maxDeliveries bounds the log of deliveries; webhookQueue bounds those waiting to be sent.
const (
	maxDeliveries = 1000
	webhookQueue  = 1024
)

// hookMessage is one webhook waiting to be sent.
type hookMessage struct {
	url     string
	orderID int64
	status  string
	body    []byte
}

// hooks is the webhook's state, guarded by Sandbox.mu.
type hooks struct {
	url        string
	sent       map[int64]map[string]bool // order id -> statuses sent (or queued)
	queue      chan hookMessage
	deliveries []WebhookDelivery
	stop       chan struct{}
	running    bool
	client     *http.Client
}

// SetWebhookURL makes the Sandbox send the order-status webhook to rawURL ("" stops it). Statuses
// orders reached before are not sent again.
func (s *Sandbox) SetWebhookURL(rawURL string) error {
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("sandbox: webhook URL %q is not an http or https URL", rawURL)
		}
	}
	s.mu.Lock()
	s.hook.url = rawURL
	start := rawURL != "" && !s.hook.running
	if start {
		if s.hook.queue == nil {
			s.hook.queue = make(chan hookMessage, webhookQueue)
			s.hook.sent = map[int64]map[string]bool{}
			s.hook.client = &http.Client{Timeout: 5 * time.Second}
		}
		s.hook.stop = make(chan struct{})
		s.hook.running = true
		// Statuses reached before the webhook was set are the past: not sent.
		now := s.now().Add(s.ctl.offset)
		for id, o := range s.orders {
			s.hook.sent[id] = map[string]bool{}
			for _, st := range o.hookStatuses(now) {
				s.hook.sent[id][st] = true
			}
		}
	}
	stop, queue := s.hook.stop, s.hook.queue
	s.mu.Unlock()
	if start {
		go s.sendHooks(stop, queue)
		go s.watchHooks(stop)
	}
	return nil
}

// WebhookURL returns where the order-status webhook goes; "" when nowhere.
func (s *Sandbox) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hook.url
}

// WebhookDeliveries returns the webhooks sent, oldest first (the last 1000).
func (s *Sandbox) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookDelivery(nil), s.hook.deliveries...)
}

// StopWebhooks stops sending the webhook; those not sent yet are dropped. Server.Close does it.
func (s *Sandbox) StopWebhooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.running {
		close(s.hook.stop)
		s.hook.running = false
	}
}

// hookStatuses are the webhook statuses o has reached at now, in the order it reached them.
func (o *dsOrder) hookStatuses(now time.Time) []string {
	out := []string{HookOrderCreated}
	if o.payFailed {
		out = append(out, HookPaymentFailed)
	}
	if !o.paid {
		if now.Sub(o.created) >= payTimeout {
			out = append(out, HookOrderClosed)
		}
		return out
	}
	if now.Before(o.paidAt.Add(payProcessing)) {
		return out
	}
	out = append(out, HookPaymentAuthorized)
	ship, _, finish := o.timeline()
	if !now.Before(ship) {
		out = append(out, HookOrderShipped)
	}
	if !now.Before(finish) {
		out = append(out, HookOrderConfirmed)
	}
	return out
}

// scanHooks queues the webhook of every status an order reached since the last scan. The caller
// holds s.mu.
func (s *Sandbox) scanHooks(now time.Time) {
	if !s.hook.running || s.hook.url == "" {
		return
	}
	for id, o := range s.orders {
		sent := s.hook.sent[id]
		if sent == nil {
			sent = map[string]bool{}
			s.hook.sent[id] = sent
		}
		for _, st := range o.hookStatuses(now) {
			if sent[st] {
				continue
			}
			body, _ := json.Marshal(map[string]any{
				"data":         map[string]any{"buyerId": userID(o.user), "orderId": o.id, "orderStatus": st},
				"message_type": 53, "seller_id": strconv.FormatInt(o.shop.ID, 10), "site": "ae_global", "timestamp": now.Unix(),
			})
			select {
			case s.hook.queue <- hookMessage{url: s.hook.url, orderID: o.id, status: st, body: body}:
				sent[st] = true
			default:
				return // full: the next scan queues the rest
			}
		}
	}
}

// watchHooks scans the orders every second for statuses reached as time passes on its own.
func (s *Sandbox) watchHooks(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			now := s.Now()
			s.mu.Lock()
			s.scanHooks(now)
			s.mu.Unlock()
		}
	}
}

// sendHooks posts the queued webhooks one after another (so an order's statuses arrive in order),
// each tried up to three times.
func (s *Sandbox) sendHooks(stop chan struct{}, queue chan hookMessage) {
	for {
		select {
		case <-stop:
			return
		case m := <-queue:
			d := WebhookDelivery{URL: m.url, OrderID: m.orderID, Status: m.status}
			for attempt := 1; attempt <= 3; attempt++ {
				d.Attempts = attempt
				d.HTTPStatus, d.Error = s.postHook(stop, m)
				if d.Error == "" {
					break
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
				}
			}
			d.At = s.Now()
			s.mu.Lock()
			if len(s.hook.deliveries) >= maxDeliveries {
				s.hook.deliveries = append(s.hook.deliveries[:0], s.hook.deliveries[1:]...)
			}
			s.hook.deliveries = append(s.hook.deliveries, d)
			s.mu.Unlock()
		}
	}
}

func (s *Sandbox) postHook(stop chan struct{}, m hookMessage) (int, string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url, bytes.NewReader(m.body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hook.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return resp.StatusCode, resp.Status
	}
	return resp.StatusCode, ""
}
