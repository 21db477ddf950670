package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Product tracking.
const (
	// EnvMaxWatches caps the products each user may watch (default 500).
	EnvMaxWatches = "ALISCOUT_MAX_WATCHES"
	// EnvWebhookAllowPrivate lets alert webhooks reach private, loopback and link-local addresses
	// (1 or true): for hooks on the same machine or network. Off by default, so that a user
	// cannot make the server call into the network it runs in.
	EnvWebhookAllowPrivate = "ALISCOUT_WEBHOOK_ALLOW_PRIVATE"
	// EnvTrackingShare is the share of ALISCOUT_DAILY_BUDGET that tracking may use in a platform
	// day (default 0.5): past it, checks wait for the next day and searches keep the rest.
	EnvTrackingShare = "ALISCOUT_TRACKING_SHARE"
)

// DefaultMaxWatches is the watches per user when ALISCOUT_MAX_WATCHES is not set.
const DefaultMaxWatches = 500

// Tracking configures product tracking.
type Tracking struct {
	MaxWatches          int
	WebhookAllowPrivate bool
	BudgetShare         float64 // of DailyBudget, in (0, 1]
}

// trackingFromEnv reads the tracking settings.
func trackingFromEnv(getenv func(string) string) (Tracking, []error) {
	t := Tracking{MaxWatches: DefaultMaxWatches, BudgetShare: 0.5}
	var errs []error
	if s := strings.TrimSpace(getenv(EnvMaxWatches)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number of watches from 1 to 1000000", EnvMaxWatches, s))
		}
		t.MaxWatches = n
	}
	if s := strings.TrimSpace(getenv(EnvWebhookAllowPrivate)); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want 1 or 0", EnvWebhookAllowPrivate, s))
		}
		t.WebhookAllowPrivate = b
	}
	if s := strings.TrimSpace(getenv(EnvTrackingShare)); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 1 {
			errs = append(errs, fmt.Errorf("%s=%q: want a share above 0 and at most 1, such as 0.5", EnvTrackingShare, s))
		}
		t.BudgetShare = f
	}
	return t, errs
}
