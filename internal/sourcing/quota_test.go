package sourcing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// TestTranslateShareSpent: a user over their share of the day's calls is told so, with when it
// resets, as a rate limit (503 with Retry-After), not as a failure of AliExpress.
func TestTranslateShareSpent(t *testing.T) {
	reset := time.Now().Add(3 * time.Hour)
	err := &aliexpress.Error{Method: "aliexpress.ds.product.get", Kind: aliexpress.ErrBudgetExhausted,
		Err: &quota.ShareError{UserID: 2, Used: 80, Share: 40, ResetAt: reset}}
	var ce *catalog.Error
	if !errors.As(sourcing.Translate(err), &ce) {
		t.Fatalf("Translate(%v) is no *catalog.Error", err)
	}
	if ce.Code != catalog.ERateLimited || ce.Reason != "share_spent" || !strings.Contains(ce.Message, "your share") ||
		!strings.Contains(ce.Message, reset.UTC().Format("15:04")) || ce.RetryAfter < 2*time.Hour {
		t.Errorf("Translate(share spent) = %+v; want a rate limit that says the share is used up and when it resets", ce)
	}
	if got := sourcing.Reason(err); got != "share_spent" {
		t.Errorf("Reason = %q; want share_spent", got)
	}
}
