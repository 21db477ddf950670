package catalog

import "time"

// ShippingQuote is the shipping options of one product to one country.
type ShippingQuote struct {
	ProductID int64
	ShipTo    string
	Options   []ShippingOption // cheapest first; empty when the product does not ship there
	// SKUID is the variant the options were quoted for, and Stock its stock as the quote gave
	// it (-1 when the quote did not say: the affiliate API never does).
	SKUID     string
	Stock     int
	Source    Source
	Stale     bool
	FetchedAt time.Time
}

// ShippingFound is the shipping of one product of a batch, or why it could not be had.
type ShippingFound struct {
	ID    int64
	Quote ShippingQuote // when Err is nil
	Err   error         // a *Error
}

// Health is the state of aliscout's connection to AliExpress, for /api/health and the page card.
// It never holds the app secret.
type Health struct {
	Simulated   bool      // running on the built-in simulator
	Gateway     string    // base URL, without credentials
	AppKey      string    // the app key (not a secret); "" when none
	TrackingID  bool      // whether an affiliate tracking ID is set (links earn commission)
	DS          bool      // whether a dropshipping account is connected (variants, stock, shipping)
	OK          bool      // the last check reached AliExpress and was accepted
	Code        string    // the error code when not OK (EConfig, EUpstream, ERateLimited)
	Message     string    // what is wrong and what to do, when not OK
	CheckedAt   time.Time // when the last check ran
	CallsToday  int       // AliExpress calls made in the current platform day
	DailyBudget int       // 0 = no cap
}
