package store

import (
	"testing"
	"time"
)

func TestPastRetryWindow(t *testing.T) {
	intent := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		state OrderState
		after time.Duration
		want  bool
	}{
		{OrderPlacing, time.Hour, false},
		{OrderPlacing, OrderRetryWindow, false},
		{OrderPlacing, OrderRetryWindow + time.Second, true},
		{OrderPlaced, 48 * time.Hour, false}, // its outcome is known
		{OrderNeedsAttention, 48 * time.Hour, false},
	} {
		o := Order{State: c.state, IntentAt: intent}
		if got := o.PastRetryWindow(intent.Add(c.after)); got != c.want {
			t.Errorf("%s order, %s after the intent: PastRetryWindow = %v, want %v", c.state, c.after, got, c.want)
		}
	}
}
