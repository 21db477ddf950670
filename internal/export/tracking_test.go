package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestWriteTracking(t *testing.T) {
	rows := []TrackingRow{
		{StoreOrderID: "#1001", Carrier: "Cainiao", Number: "LP00123", LastEventAt: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)},
		{StoreOrderID: "#1002", Carrier: "Cainiao"}, // no number yet: left out
		{StoreOrderID: "=cmd()", Carrier: "+x", Number: "@y"},
	}
	for format, want := range map[string][][]string{
		TrackingShopify:     {{"Order Name", "Tracking Number", "Tracking Company"}, {"#1001", "LP00123", "Cainiao"}, {"'=cmd()", "'@y", "'+x"}},
		TrackingWooCommerce: {{"order_id", "tracking_provider", "tracking_number", "date_shipped", "status_shipped"}, {"#1001", "Cainiao", "LP00123", "", "1"}, {"'=cmd()", "'+x", "'@y", "", "1"}},
	} {
		var b bytes.Buffer
		if err := WriteTracking(&b, format, rows); err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: %v %v; want %v", format, got, err, want)
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("%s row %d = %v; want %v", format, i, got[i], want[i])
			}
		}
	}
	var b bytes.Buffer
	if err := WriteTracking(&b, TrackingJSON, rows); err != nil || !strings.Contains(b.String(), `"tracking_number":"LP00123"`) ||
		strings.Contains(b.String(), "#1002") || !strings.Contains(b.String(), `"last_event_at":"2026-12-03T08:00:00Z"`) {
		t.Errorf("JSON = %s, %v", b.String(), err)
	}
	if err := WriteTracking(&b, "csv", rows); err == nil {
		t.Error("an unknown format was written")
	}
}
