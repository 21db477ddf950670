package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// TestOrderStatusWebhookEndToEnd: the simulator posts the order-status webhook to serve's
// /webhooks/aliexpress when a placed order is paid and when it ships; serve reads the order at once
// instead of at its next scheduled check (a minute, then hours away on serve's own clock).
func TestOrderStatusWebhookEndToEnd(t *testing.T) {
	st := newOrderStack(t)
	sb, base, ana, pid, attr := st.sb, st.base, st.ana, st.pid, st.attr
	if err := sb.SetWebhookURL(base + "/webhooks/aliexpress"); err != nil {
		t.Fatal(err)
	}
	code, body := ana.json("POST", base+"/api/orders", fmt.Sprintf(`{"store": "myshop", "store_order_id": "#7001", "lines": [{"product_id": "%d",
		"sku_attr": %q, "quantity": 1, "store_price": "99.99", "currency": "USD"}], "address": {"full_name": "Jane Doe",
		"address": "100 Main Street", "city": "Austin", "province": "Texas", "zip": "73301", "country": "US", "phone": "5125550100"}}`, pid, attr))
	var o apiOrder
	if err := json.Unmarshal([]byte(body), &o); code != http.StatusCreated || err != nil {
		t.Fatalf("POST /api/orders = %d %s", code, body)
	}
	code, body = ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, o.ID), "")
	if err := json.Unmarshal([]byte(body), &o); code != http.StatusOK || err != nil || len(o.AEOrderIDs) != 1 {
		t.Fatalf("place = %d %s", code, body)
	}
	aeID, _ := strconv.ParseInt(o.AEOrderIDs[0], 10, 64)
	waitOrder := func(what, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, _, body := ana.get(fmt.Sprintf("%s/api/orders/%d", base, o.ID))
			if strings.Contains(body, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen within 20 s (webhooks sent: %+v)\n%s", what, sb.WebhookDeliveries(), body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !sb.PayOrder(aeID) {
		t.Fatal("PayOrder = false")
	}
	sb.Advance(2 * time.Hour) // past the payment's processing: PaymentAuthorized
	waitOrder("paid after the PaymentAuthorized webhook", `"paid":true`)
	sb.Advance(20 * 24 * time.Hour) // shipped (and by now delivered): OrderShipped, OrderConfirmed
	waitOrder("tracked after the OrderShipped webhook", `"number":"LP`)

	// The simulator logs a delivery once aliscout has answered it, so the log may trail the order.
	var ours []sandbox.WebhookDelivery
	for deadline := time.Now().Add(5 * time.Second); len(ours) < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ours = ours[:0]
		for _, d := range sb.WebhookDeliveries() {
			if d.OrderID == aeID {
				ours = append(ours, d)
			}
		}
	}
	var statuses []string
	for _, d := range ours {
		statuses = append(statuses, d.Status)
		if d.HTTPStatus != http.StatusOK {
			t.Errorf("webhook %s answered %d; want 200", d.Status, d.HTTPStatus)
		}
	}
	if len(statuses) < 3 || statuses[0] != sandbox.HookOrderCreated || statuses[1] != sandbox.HookPaymentAuthorized || statuses[2] != sandbox.HookOrderShipped {
		t.Errorf("webhooks sent for the order = %v; want OrderCreated, PaymentAuthorized, OrderShipped", statuses)
	}
}
